"""gunicorn settings, read from the working directory by ``gunicorn wsgi:app``."""
import gc


def post_worker_init(worker):
    """Warm the worker before it takes requests, then freeze what start-up allocated.

    The Chinese segmenter loads its dictionaries on first use (hundreds of milliseconds), which would otherwise
    land on some user's first request. ``gc.freeze()`` moves the long-lived start-up objects out of the
    collector's generations, so collections during requests walk only what requests allocate."""
    from search import analysis

    analysis.tokenize("科技成果转化交易平台预热")
    analysis.keywords("科技成果转化交易平台预热", 3)  # loads the IDF table used to weigh demand terms
    gc.freeze()
