"""The secret-hygiene scan: no secret in any output, log, file or setting (issue 7)."""
