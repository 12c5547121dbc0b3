-- Outbox payloads name their kind and carry a format version (`OutboxPayload` in
-- src/domain/outbox.rs). Rows written before hold the same fields without those two.
UPDATE outbox
SET payload = json_set(payload, '$.v', 1, '$.kind', kind)
WHERE json_valid(payload)
  AND json_type(payload) = 'object'
  AND json_extract(payload, '$.v') IS NULL;
