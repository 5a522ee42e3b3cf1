"""Live anonymous surveys in the company track's sittings and meetings (issue 16 §1–5)."""
