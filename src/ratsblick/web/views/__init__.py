"""The pages, one module per group (the read layer in `ratsblick.reader` feeds them)."""
