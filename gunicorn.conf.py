"""gunicorn settings, read from the working directory by ``gunicorn wsgi:app``."""
import gc
import logging

log = logging.getLogger("gunicorn.error")

# gunicorn answers a request line longer than this itself (an HTML 414); the application's own limit is lower
# (marketplace.http_limits.MAX_URL_LENGTH), so an over-long URL normally gets the application's 414, on /api/ as
# application/problem+json. 8190 is the largest value gunicorn accepts short of 0 (no limit).
limit_request_line = 8190


def post_worker_init(worker):
    """Warm the worker before it takes requests, then freeze what start-up allocated.

    The Chinese segmenter loads its dictionaries on first use (hundreds of milliseconds), the first search and match
    of a process open the index readers and compile the SQL statements, and with the semantic rerank the first match
    of a stored need reads every stored vector (seconds at 100,000 records); all of that would otherwise land on some
    user's first request. The vectors are read here, then one match and one search through a test client do the rest
    (they change nothing).
    ``gc.freeze()`` then moves these long-lived objects out of the collector's generations, so collections during
    requests walk only what requests allocate (without it, a full collection now and then added ~80 ms to one
    request)."""
    from search import analysis

    analysis.tokenize("科技成果转化交易平台预热")
    analysis.keywords("科技成果转化交易平台预热", 3)  # loads the IDF table used to weigh demand terms
    app = worker.wsgi
    # dense retrieval's vectors (marketplace/matching/dense.py): seconds at 100k
    if app.config.get("MATCH_SEMANTIC") and app.config.get("MATCH_SEMANTIC_DENSE"):
        from marketplace.matching import dense

        try:
            with app.app_context():
                dense.preload()
        except Exception as exc:  # noqa: BLE001 - best effort, as below: the first match reads them otherwise
            log.info("warm-up of the semantic vectors: %s: %s", type(exc).__name__, exc)
    client = app.test_client()
    for method, path, body in (("POST", "/api/v1/match/achievements", {"text": "锂离子电池正极材料", "size": 10}),
                               ("GET", "/api/v1/search/achievements?q=%E9%94%82%E7%94%B5%E6%B1%A0", None)):
        try:
            status = client.open(path, method=method, json=body).status_code
        except Exception as exc:  # noqa: BLE001 - warming is best effort; requests will report real errors
            status = f"{type(exc).__name__}: {exc}"
        if status != 200:
            log.info("warm-up %s %s: %s", method, path, status)
    gc.freeze()
