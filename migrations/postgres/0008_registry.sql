-- The registry (`src/registry`): namespaces (user handles and team slugs in one space, old
-- names kept as aliases), prompt names per namespace (old names kept as aliases), labels
-- pointing at versions, the audit trail, team maintainers and limited API tokens.
-- Existing users, teams and prompts get their names in the Rust step of this migration.
CREATE TABLE "Namespace" (
  "name" TEXT COLLATE "C" PRIMARY KEY,
  "userId" TEXT REFERENCES "User"("id") ON DELETE CASCADE,
  "teamId" TEXT REFERENCES "Team"("id") ON DELETE CASCADE,
  "isCurrent" BOOLEAN NOT NULL,
  "createdAt" TIMESTAMPTZ(3) NOT NULL
);
CREATE INDEX idx_namespace_user ON "Namespace"("userId");
CREATE INDEX idx_namespace_team ON "Namespace"("teamId");

CREATE TABLE "PromptName" (
  "scope" TEXT NOT NULL,
  "name" TEXT COLLATE "C" NOT NULL,
  "promptId" TEXT NOT NULL REFERENCES "Prompt"("id") ON DELETE CASCADE,
  "isCurrent" BOOLEAN NOT NULL,
  "createdAt" TIMESTAMPTZ(3) NOT NULL,
  PRIMARY KEY ("scope", "name")
);
CREATE INDEX idx_promptname_prompt ON "PromptName"("promptId");

CREATE TABLE "PromptLabel" (
  "promptId" TEXT NOT NULL REFERENCES "Prompt"("id") ON DELETE CASCADE,
  "label" TEXT NOT NULL,
  "version" INTEGER NOT NULL,
  "updatedAt" TIMESTAMPTZ(3) NOT NULL,
  "updatedBy" TEXT REFERENCES "User"("id") ON DELETE SET NULL,
  PRIMARY KEY ("promptId", "label")
);
CREATE INDEX idx_promptlabel_updatedby ON "PromptLabel"("updatedBy");

CREATE TABLE "AuditEvent" (
  "id" TEXT PRIMARY KEY,
  "promptId" TEXT,
  "actorId" TEXT REFERENCES "User"("id") ON DELETE SET NULL,
  "action" TEXT NOT NULL,
  "detail" TEXT,
  "createdAt" TIMESTAMPTZ(3) NOT NULL
);
CREATE INDEX idx_auditevent_prompt ON "AuditEvent"("promptId", "createdAt");
CREATE INDEX idx_auditevent_created ON "AuditEvent"("createdAt");
CREATE INDEX idx_auditevent_actor ON "AuditEvent"("actorId");

ALTER TABLE "UserTeam" ADD COLUMN "role" TEXT;
ALTER TABLE "ApiToken" ADD COLUMN "access" TEXT;
ALTER TABLE "ApiToken" ADD COLUMN "namespaces" TEXT;
