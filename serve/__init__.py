"""Serving ArchLab: start Streamlit servers on this machine (tests, benchmarks, a class)."""
