namespace PolicyBot.State.Migrations;

/// <summary>The PostgreSQL schema, version by version (tables live in the connection's search path).</summary>
internal static class PostgresSchema
{
    public static Schema Current { get; } = new(
        "PostgreSQL",
        [
            new(1, "audit, feedback, server settings, rate-limit buckets", """
                CREATE TABLE audit (
                    answer_id         text             NOT NULL PRIMARY KEY,
                    at                timestamptz      NOT NULL,
                    platform          text             NOT NULL,
                    server_id         text,
                    channel_id        text,
                    user_hash         text,
                    question          text             NOT NULL,
                    outcome           text             NOT NULL,
                    reason            text,
                    cited_passage_ids text[]           NOT NULL,
                    corpus_version    text             NOT NULL,
                    latency_ms        double precision NOT NULL
                );
                CREATE INDEX audit_at ON audit (at, answer_id);

                CREATE TABLE feedback (
                    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    answer_id text        NOT NULL,
                    platform  text        NOT NULL,
                    user_id   text,
                    reaction  text        NOT NULL,
                    comment   text,
                    at        timestamptz NOT NULL
                );
                CREATE INDEX feedback_answer ON feedback (answer_id, at, id);
                CREATE INDEX feedback_at ON feedback (at);

                CREATE TABLE server_settings (
                    platform        text        NOT NULL,
                    server_id       text        NOT NULL,
                    answer_channels text[]      NOT NULL,
                    updated_at      timestamptz NOT NULL,
                    PRIMARY KEY (platform, server_id)
                );

                CREATE TABLE rate_buckets (
                    bucket_key text             NOT NULL PRIMARY KEY,
                    tokens     double precision NOT NULL,
                    updated_us bigint           NOT NULL,
                    granted    boolean          NOT NULL
                );
                """),
            new(2, "generated secrets, expiring caches, delivery claims", """
                CREATE TABLE secrets (
                    name       text        NOT NULL PRIMARY KEY,
                    value      text        NOT NULL,
                    created_at timestamptz NOT NULL
                );

                CREATE SEQUENCE cache_entry_seq;
                CREATE TABLE cache_entries (
                    scope      text   NOT NULL,
                    key        text   NOT NULL,
                    value      text   NOT NULL,
                    expires_us bigint NOT NULL,
                    seq        bigint NOT NULL,
                    PRIMARY KEY (scope, key)
                );
                CREATE INDEX cache_entries_order ON cache_entries (scope, seq);
                CREATE INDEX cache_entries_expiry ON cache_entries (scope, expires_us);

                CREATE TABLE delivery_claims (
                    scope      text   NOT NULL,
                    claim_id   text   NOT NULL,
                    expires_us bigint NOT NULL,
                    PRIMARY KEY (scope, claim_id)
                );
                CREATE INDEX delivery_claims_expiry ON delivery_claims (scope, expires_us);
                """),
            new(3, "answer text, suggested topics and confidence in the audit trail; indexes for the admin dashboard", """
                ALTER TABLE audit ADD COLUMN answer_text text;
                ALTER TABLE audit ADD COLUMN suggested_topics text[] NOT NULL DEFAULT '{}';
                ALTER TABLE audit ADD COLUMN confidence text;
                CREATE INDEX audit_points ON audit (at) INCLUDE (platform, outcome, latency_ms);
                CREATE INDEX audit_outcome_at ON audit (outcome, at);
                CREATE INDEX audit_platform_at ON audit (platform, at);
                CREATE INDEX feedback_reaction_answer ON feedback (reaction, answer_id);
                """),
            new(4, "watch subscriptions", """
                CREATE TABLE watches (
                    id         bigint      GENERATED ALWAYS AS IDENTITY,
                    platform   text        NOT NULL,
                    channel_id text        NOT NULL,
                    kind       text        NOT NULL,
                    match_key  text        NOT NULL,
                    label      text        NOT NULL,
                    server_id  text,
                    reference  text,
                    created_at timestamptz NOT NULL,
                    PRIMARY KEY (platform, channel_id, kind, match_key)
                );
                """),
        ],
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer     NOT NULL PRIMARY KEY,
            applied_at timestamptz NOT NULL
        );
        """,
        """
        INSERT INTO schema_migrations (version, applied_at) VALUES (@version, now());
        """);
}
