"""Translation catalogues: one module per language code, each with a MESSAGES dict."""
