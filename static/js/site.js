// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Mobile navigation toggle.
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // The staff menu in the header closes when a click lands elsewhere or Escape is pressed.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.nav-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details.nav-menu[open]").forEach(function (menu) { menu.removeAttribute("open"); });
    }
  });
  // Filters apply as soon as a choice changes (the submit button remains for keyboard users).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      var form = select.form;
      var page = form.querySelector("input[name=page]");
      if (page) { page.remove(); }
      form.submit();
    });
  });
  // Confirm destructive buttons.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // 面议 (negotiable) disables the price field.
  var negotiable = document.querySelector("input[data-negotiable]");
  var price = document.querySelector("input[data-price-input]");
  if (negotiable && price) {
    var sync = function () {
      price.disabled = negotiable.checked;
      if (negotiable.checked) { price.value = ""; }
    };
    negotiable.addEventListener("change", sync);
    price.addEventListener("input", function () { if (price.value) { negotiable.checked = false; } });
    sync();
  }
  // Copy buttons for one-time secrets and invitation links.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          button.textContent = "✓";
        });
      }
    });
  });
  // Refuse too-large files before uploading them.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
      var file = input.files && input.files[0];
      input.setCustomValidity(file && limit && file.size > limit ? (document.documentElement.lang === "en" ?
        "The file is too large." : "文件太大，超过上传限制。") : "");
      input.reportValidity();
    });
  });
})();
// Progress bars: the width comes from data-percent (no style attribute, so the page keeps a strict
// Content-Security-Policy). Without JavaScript the figure is still printed beside the bar.
(function () {
  "use strict";
  document.querySelectorAll(".progress-bar[data-percent]").forEach(function (bar) {
    var percent = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-percent")) || 0));
    bar.style.width = percent + "%";
  });
})();
