"""newsetl: raw news-article dumps -> clean, typed, language-tagged Parquet."""

__version__ = "0.2.0"
#: Written into every article row and manifest; bump when output for the same input changes.
PIPELINE_VERSION = "0.2.0"
