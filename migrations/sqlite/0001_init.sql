-- PromptVault schema, version 1 (SQLite). Table and column names follow the operations guide.

CREATE TABLE "User" (
  id TEXT PRIMARY KEY NOT NULL,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password TEXT NOT NULL,
  name TEXT,
  team TEXT,
  role TEXT NOT NULL DEFAULT 'USER' CHECK (role IN ('ADMIN', 'USER')),
  createdAt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updatedAt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_user_team ON "User"(team);
CREATE INDEX idx_user_role ON "User"(role);

CREATE TABLE "Team" (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  createdAt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updatedAt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE "UserTeam" (
  userId TEXT NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
  teamId TEXT NOT NULL REFERENCES "Team"(id) ON DELETE CASCADE,
  createdAt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (userId, teamId)
);
CREATE INDEX idx_userteam_team ON "UserTeam"(teamId);

CREATE TABLE "Prompt" (
  id TEXT PRIMARY KEY NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  variables TEXT,
  notes TEXT,
  modelHints TEXT,
  visibility TEXT NOT NULL DEFAULT 'PRIVATE' CHECK (visibility IN ('PRIVATE', 'TEAM', 'PUBLIC')),
  userId TEXT NOT NULL REFERENCES "User"(id),
  createdAt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updatedAt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  isPubliclyShared BOOLEAN NOT NULL DEFAULT FALSE,
  publicShareId TEXT UNIQUE,
  teamId TEXT REFERENCES "Team"(id) ON DELETE SET NULL
);
CREATE INDEX idx_prompt_user_id ON "Prompt"(userId);
CREATE INDEX idx_prompt_visibility ON "Prompt"(visibility);
CREATE INDEX idx_prompt_created_at ON "Prompt"(createdAt);
CREATE INDEX idx_prompt_updated_at ON "Prompt"(updatedAt);
CREATE INDEX idx_prompt_public_share_id ON "Prompt"(publicShareId);
CREATE INDEX idx_prompt_user_visibility ON "Prompt"(userId, visibility);
CREATE INDEX idx_prompt_user_created ON "Prompt"(userId, createdAt);
CREATE INDEX idx_prompt_user_updated ON "Prompt"(userId, updatedAt);
CREATE INDEX idx_prompt_team ON "Prompt"(teamId);

CREATE TABLE "PromptVersion" (
  id TEXT PRIMARY KEY NOT NULL,
  promptId TEXT NOT NULL REFERENCES "Prompt"(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  variables TEXT,
  notes TEXT,
  modelHints TEXT,
  message TEXT,
  authorId TEXT REFERENCES "User"(id) ON DELETE SET NULL,
  createdAt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE (promptId, version)
);
CREATE INDEX idx_promptversion_author ON "PromptVersion"(authorId);

CREATE TABLE "Tag" (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  createdAt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE "PromptTag" (
  promptId TEXT NOT NULL REFERENCES "Prompt"(id) ON DELETE CASCADE,
  tagId TEXT NOT NULL REFERENCES "Tag"(id) ON DELETE CASCADE,
  PRIMARY KEY (promptId, tagId)
);
CREATE INDEX idx_prompttag_tag ON "PromptTag"(tagId);

CREATE TABLE "Rating" (
  id TEXT PRIMARY KEY NOT NULL,
  userId TEXT NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
  promptId TEXT NOT NULL REFERENCES "Prompt"(id) ON DELETE CASCADE,
  value INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5),
  createdAt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updatedAt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE (userId, promptId)
);
CREATE INDEX idx_rating_prompt ON "Rating"(promptId);

CREATE TABLE "Settings" (
  id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
  allowRegistration BOOLEAN NOT NULL DEFAULT TRUE,
  updatedAt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "Settings" (id, allowRegistration) VALUES (1, TRUE);

CREATE TABLE "Session" (
  id TEXT PRIMARY KEY NOT NULL,
  userId TEXT NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
  createdAt DATETIME NOT NULL,
  expiresAt DATETIME NOT NULL,
  lastSeenAt DATETIME NOT NULL,
  userAgent TEXT
);
CREATE INDEX idx_session_user ON "Session"(userId);

CREATE TABLE "ApiToken" (
  id TEXT PRIMARY KEY NOT NULL,
  userId TEXT NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  tokenHash TEXT NOT NULL UNIQUE,
  createdAt DATETIME NOT NULL,
  lastUsedAt DATETIME
);
CREATE INDEX idx_apitoken_user ON "ApiToken"(userId);
