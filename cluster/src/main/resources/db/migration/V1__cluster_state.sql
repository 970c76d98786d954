-- The state several thetahost fronts share (docs/CLUSTER.md). Bytes live in the object store; a row naming an object
-- is what makes it visible.

-- A repository's settings are its git config text, as the embedded mode keeps them in the bare repository's config
-- file: access ([thetahost] public, [thetahost-access "USER"] permission) and branch rules ([thetahost-protect "P"]).
CREATE TABLE repositories (
    name text PRIMARY KEY,
    config text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    name text PRIMARY KEY
);

-- A key logs in one user: its fingerprint is unique across users.
CREATE TABLE user_keys (
    username text NOT NULL REFERENCES users ON DELETE CASCADE,
    fingerprint text NOT NULL UNIQUE,
    key text NOT NULL,
    PRIMARY KEY (username, fingerprint)
);

CREATE TABLE user_tokens (
    token_hash text PRIMARY KEY,
    username text NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row: the SSH host key every front presents.
CREATE TABLE host_key (
    id integer PRIMARY KEY CHECK (id = 1),
    pem text NOT NULL
);

-- A ref: an object id, or (symbolic) the name of the ref it points to. An annotated tag's row also holds what it
-- peels to, computed when the ref is written, so that advertisements need not read the tag; NULL for anything else.
CREATE TABLE git_refs (
    repository text NOT NULL REFERENCES repositories ON DELETE CASCADE,
    name text NOT NULL,
    target text NOT NULL,
    symbolic boolean NOT NULL DEFAULT false,
    peeled text,
    PRIMARY KEY (repository, name),
    CHECK (symbolic OR target ~ '^[0-9a-f]{40}$'),
    CHECK (peeled IS NULL OR (NOT symbolic AND peeled ~ '^[0-9a-f]{40}$'))
);

-- A pack JGit committed: its files are the objects git/<repository>/<pack>.<extension> (pack, idx, and whatever else
-- JGit wrote: bitmap, ...), each uploaded whole before this row was inserted. source is JGit's PackSource (RECEIVE,
-- INSERT, GC, ...); file_sizes are in the order of extensions.
CREATE TABLE git_packs (
    repository text NOT NULL REFERENCES repositories ON DELETE CASCADE,
    pack text NOT NULL,
    source text NOT NULL,
    extensions text[] NOT NULL,
    file_sizes bigint[] NOT NULL,
    object_count bigint NOT NULL,
    delta_count bigint NOT NULL DEFAULT 0,
    index_version integer NOT NULL DEFAULT 0,
    committed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (repository, pack),
    CHECK (cardinality(extensions) = cardinality(file_sizes) AND 'pack' = ANY (extensions))
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

