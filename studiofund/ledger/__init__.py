"""A studio's ledger: its declaration, loading, and safe writing."""
