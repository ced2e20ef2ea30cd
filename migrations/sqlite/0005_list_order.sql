-- Lists are ordered by a time and then by id (`listing::order_by`): these indexes hold both, so
-- a page of 50 reads 50 index entries even when thousands of prompts share one time (an import
-- stamps a whole file with the same time). (userId, updatedAt, id) replaces (userId, updatedAt).
DROP INDEX IF EXISTS idx_prompt_user_updated;
CREATE INDEX idx_prompt_user_updated_id ON "Prompt"("userId", "updatedAt", "id");
CREATE INDEX idx_prompt_user_created_id ON "Prompt"("userId", "createdAt", "id");
CREATE INDEX idx_prompt_updated_id ON "Prompt"("updatedAt", "id");
CREATE INDEX idx_prompt_created_id ON "Prompt"("createdAt", "id");
