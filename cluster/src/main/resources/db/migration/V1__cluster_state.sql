-- The state several thetahost fronts share (docs/CLUSTER.md). Bytes live in the object store; a row naming an object
-- is what makes it visible.

CREATE TABLE repositories (
    name text PRIMARY KEY,
    public boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    name text PRIMARY KEY
);

CREATE TABLE user_keys (
    username text NOT NULL REFERENCES users ON DELETE CASCADE,
    fingerprint text NOT NULL,
    key text NOT NULL,
    PRIMARY KEY (username, fingerprint)
);

CREATE TABLE user_tokens (
    token_hash text PRIMARY KEY,
    username text NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE grants (
    repository text NOT NULL REFERENCES repositories ON DELETE CASCADE,
    username text NOT NULL,
    permission text NOT NULL CHECK (permission IN ('read', 'write', 'admin')),
    PRIMARY KEY (repository, username)
);

CREATE TABLE branch_rules (
    repository text NOT NULL REFERENCES repositories ON DELETE CASCADE,
    pattern text NOT NULL,
    rules text NOT NULL,
    PRIMARY KEY (repository, pattern)
);

-- One row: the SSH host key every front presents.
CREATE TABLE host_key (
    id integer PRIMARY KEY CHECK (id = 1),
    pem text NOT NULL
);

CREATE TABLE git_refs (
    repository text NOT NULL REFERENCES repositories ON DELETE CASCADE,
    name text NOT NULL,
    target text NOT NULL,
    symbolic boolean NOT NULL DEFAULT false,
    PRIMARY KEY (repository, name)
);

CREATE TABLE git_packs (
    repository text NOT NULL REFERENCES repositories ON DELETE CASCADE,
    pack text NOT NULL,
    source text NOT NULL,
    extensions text[] NOT NULL,
    object_count bigint NOT NULL,
    size bigint NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (repository, pack)
);

CREATE TABLE tensors (
    id text PRIMARY KEY,
    dtype text NOT NULL,
    shape bigint[] NOT NULL,
    size bigint NOT NULL,
    kind text NOT NULL,
    base text REFERENCES tensors,
    chain_depth integer NOT NULL,
    encoded_bytes bigint NOT NULL,
    has_nan boolean NOT NULL,
    has_inf boolean NOT NULL,
    object_key text NOT NULL UNIQUE,
    stored_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((base IS NULL) = (chain_depth = 0))
);

CREATE TABLE tensor_grants (
    repository text NOT NULL,
    id text NOT NULL REFERENCES tensors ON DELETE CASCADE,
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (repository, id)
);

-- An upload under way: its object may exist without a tensors row; gc removes those left by a front that died.
CREATE TABLE pending_uploads (
    object_key text PRIMARY KEY,
    front text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE file_digests (
    key text PRIMARY KEY,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$')
);
