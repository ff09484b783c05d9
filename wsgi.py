"""gunicorn entry point: ``gunicorn wsgi:app``."""
import os

# One BLAS thread per process unless told otherwise: the workers already share the cores, and dense retrieval's
# matrix-vector product (marketplace/matching/dense.py) ran about 3x slower with OpenBLAS threads contending for them
# (p50 49 vs 17 ms per saved-demand match at 20,000 achievements, 2 workers on 2 cores). Set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from marketplace import create_app  # noqa: E402


app = create_app()
