-- Issue 16: mixed precision. A trial's config says what precision was asked for (fp32, bf16, fp16
-- or auto; absent means fp32, the book's); this column says what the graph computed in on the
-- machine that trained it, as device says where. NULL for trials recorded before it existed
-- (they computed in fp32) and for trials not yet started.
ALTER TABLE trials ADD COLUMN compute_precision TEXT;
COMMENT ON COLUMN trials.compute_precision IS
    'fp32, bf16 or fp16: what the trial''s graph computed activations in (weights and updates are float32)';
