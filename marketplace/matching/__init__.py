"""Matching demands with achievements and open-licence patents, and achievements with demands."""
