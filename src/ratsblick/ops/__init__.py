"""Operations: status per body, the operator page, `/healthz`, `/metrics`, request ids.

The top layer: it reads every app below (dead letters of `ratsblick.jobs`
included) and only reads; it changes no data.
"""
