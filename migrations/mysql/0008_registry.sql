-- The registry (`src/registry`): namespaces (user handles and team slugs in one space, old
-- names kept as aliases), prompt names per namespace (old names kept as aliases), labels
-- pointing at versions, the audit trail, team maintainers and limited API tokens.
-- Existing users, teams and prompts get their names in the Rust step of this migration, which
-- also adds the UserTeam and ApiToken columns (checked first: MySQL DDL is not transactional).
CREATE TABLE IF NOT EXISTS "Namespace" (
  "name" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  "userId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  "teamId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  "isCurrent" BOOLEAN NOT NULL,
  "createdAt" DATETIME(3) NOT NULL,
  KEY idx_namespace_user ("userId"),
  KEY idx_namespace_team ("teamId"),
  CONSTRAINT "Namespace_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE,
  CONSTRAINT "Namespace_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS "PromptName" (
  "scope" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "name" VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "promptId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "isCurrent" BOOLEAN NOT NULL,
  "createdAt" DATETIME(3) NOT NULL,
  PRIMARY KEY ("scope", "name"),
  KEY idx_promptname_prompt ("promptId"),
  CONSTRAINT "PromptName_promptId_fkey" FOREIGN KEY ("promptId") REFERENCES "Prompt" ("id") ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS "PromptLabel" (
  "promptId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "label" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "version" INT NOT NULL,
  "updatedAt" DATETIME(3) NOT NULL,
  "updatedBy" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  PRIMARY KEY ("promptId", "label"),
  KEY idx_promptlabel_updatedby ("updatedBy"),
  CONSTRAINT "PromptLabel_promptId_fkey" FOREIGN KEY ("promptId") REFERENCES "Prompt" ("id") ON DELETE CASCADE,
  CONSTRAINT "PromptLabel_updatedBy_fkey" FOREIGN KEY ("updatedBy") REFERENCES "User" ("id") ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS "AuditEvent" (
  "id" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  "promptId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  "actorId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  "action" VARCHAR(64) NOT NULL,
  "detail" MEDIUMTEXT NULL,
  "createdAt" DATETIME(3) NOT NULL,
  KEY idx_auditevent_prompt ("promptId", "createdAt"),
  KEY idx_auditevent_created ("createdAt"),
  KEY idx_auditevent_actor ("actorId"),
  CONSTRAINT "AuditEvent_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User" ("id") ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
