-- PromptVault schema, version 1 (MySQL 8 / MariaDB 10.6+). The session runs with ANSI_QUOTES.
-- MySQL DDL is not transactional: every statement is idempotent, so a failed run can be retried.
-- Ids are ASCII and case-sensitive; searchable text keeps a case-insensitive utf8mb4 collation.

CREATE TABLE IF NOT EXISTS "User" (
  "id" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  "email" VARCHAR(255) NOT NULL,
  "password" VARCHAR(255) NOT NULL,
  "name" VARCHAR(255) NULL,
  "team" VARCHAR(255) NULL,
  "role" VARCHAR(16) NOT NULL DEFAULT 'USER' CHECK ("role" IN ('ADMIN', 'USER')),
  "createdAt" DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  "updatedAt" DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY "User_email_key" ("email"),
  KEY idx_user_team ("team"),
  KEY idx_user_role ("role")
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS "Team" (
  "id" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  "name" VARCHAR(255) NOT NULL,
  "createdAt" DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  "updatedAt" DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY "Team_name_key" ("name")
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS "UserTeam" (
  "userId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "teamId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "createdAt" DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY ("userId", "teamId"),
  KEY idx_userteam_team ("teamId"),
  CONSTRAINT "UserTeam_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE,
  CONSTRAINT "UserTeam_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS "Prompt" (
  "id" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  "title" VARCHAR(255) NOT NULL,
  "body" MEDIUMTEXT NOT NULL,
  "variables" MEDIUMTEXT NULL,
  "notes" MEDIUMTEXT NULL,
  "modelHints" TEXT NULL,
  "visibility" VARCHAR(16) NOT NULL DEFAULT 'PRIVATE' CHECK ("visibility" IN ('PRIVATE', 'TEAM', 'PUBLIC')),
  "userId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "createdAt" DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  "updatedAt" DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  "isPubliclyShared" BOOLEAN NOT NULL DEFAULT FALSE,
  "publicShareId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  "teamId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  UNIQUE KEY "Prompt_publicShareId_key" ("publicShareId"),
  KEY idx_prompt_user_id ("userId"),
  KEY idx_prompt_visibility ("visibility"),
  KEY idx_prompt_created_at ("createdAt"),
  KEY idx_prompt_updated_at ("updatedAt"),
  KEY idx_prompt_public_share_id ("publicShareId"),
  KEY idx_prompt_user_visibility ("userId", "visibility"),
  KEY idx_prompt_user_created ("userId", "createdAt"),
  KEY idx_prompt_user_updated ("userId", "updatedAt"),
  KEY idx_prompt_team ("teamId"),
  CONSTRAINT "Prompt_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id"),
  CONSTRAINT "Prompt_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS "PromptVersion" (
  "id" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  "promptId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "version" INT NOT NULL,
  "title" VARCHAR(255) NOT NULL,
  "body" MEDIUMTEXT NOT NULL,
  "variables" MEDIUMTEXT NULL,
  "notes" MEDIUMTEXT NULL,
  "modelHints" TEXT NULL,
  "message" TEXT NULL,
  "authorId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  "createdAt" DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY "PromptVersion_promptId_version_key" ("promptId", "version"),
  KEY idx_promptversion_author ("authorId"),
  CONSTRAINT "PromptVersion_promptId_fkey" FOREIGN KEY ("promptId") REFERENCES "Prompt" ("id") ON DELETE CASCADE,
  CONSTRAINT "PromptVersion_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS "Tag" (
  "id" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  "name" VARCHAR(100) NOT NULL,
  "createdAt" DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY "Tag_name_key" ("name")
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS "PromptTag" (
  "promptId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "tagId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY ("promptId", "tagId"),
  KEY idx_prompttag_tag ("tagId"),
  CONSTRAINT "PromptTag_promptId_fkey" FOREIGN KEY ("promptId") REFERENCES "Prompt" ("id") ON DELETE CASCADE,
  CONSTRAINT "PromptTag_tagId_fkey" FOREIGN KEY ("tagId") REFERENCES "Tag" ("id") ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS "Rating" (
  "id" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  "userId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "promptId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "value" INT NOT NULL CHECK ("value" BETWEEN 1 AND 5),
  "createdAt" DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  "updatedAt" DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY "Rating_userId_promptId_key" ("userId", "promptId"),
  KEY idx_rating_prompt ("promptId"),
  CONSTRAINT "Rating_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE,
  CONSTRAINT "Rating_promptId_fkey" FOREIGN KEY ("promptId") REFERENCES "Prompt" ("id") ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS "Settings" (
  "id" INT NOT NULL PRIMARY KEY CHECK ("id" = 1),
  "allowRegistration" BOOLEAN NOT NULL DEFAULT TRUE,
  "updatedAt" DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO "Settings" ("id", "allowRegistration") VALUES (1, TRUE);

CREATE TABLE IF NOT EXISTS "Session" (
  "id" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  "userId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "createdAt" DATETIME(3) NOT NULL,
  "expiresAt" DATETIME(3) NOT NULL,
  "lastSeenAt" DATETIME(3) NOT NULL,
  "userAgent" VARCHAR(512) NULL,
  KEY idx_session_user ("userId"),
  CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS "ApiToken" (
  "id" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  "userId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "name" VARCHAR(100) NOT NULL,
  "prefix" VARCHAR(32) NOT NULL,
  "tokenHash" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "createdAt" DATETIME(3) NOT NULL,
  "lastUsedAt" DATETIME(3) NULL,
  UNIQUE KEY "ApiToken_tokenHash_key" ("tokenHash"),
  KEY idx_apitoken_user ("userId"),
  CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
