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
            new(5, "main terms of each question (the coverage-gap key); partial indexes over the coverage gaps; the UTC day stored on audit and feedback rows", """
                ALTER TABLE audit ADD COLUMN main_terms text;
                CREATE INDEX audit_gaps_at ON audit (at) INCLUDE (main_terms, outcome)
                    WHERE (outcome = 'Abstained' OR (outcome = 'Answered' AND confidence = 'Low'));
                CREATE INDEX audit_gaps_terms ON audit (main_terms, at)
                    WHERE (outcome = 'Abstained' OR (outcome = 'Answered' AND confidence = 'Low'));

                -- The UTC day as a stored integer (days since 1970-01-01; both casts are immutable), so the Overview
                -- counts per day from an index-only scan instead of computing floor(extract(epoch ...)) per row.
                ALTER TABLE audit ADD COLUMN day integer GENERATED ALWAYS AS (((at AT TIME ZONE 'UTC')::date - DATE '1970-01-01')) STORED;
                CREATE INDEX audit_day ON audit (day, platform, outcome) INCLUDE (latency_ms);
                DROP INDEX audit_points;

                -- Questions and reactions per UTC day, kept by the database as rows are written and deleted (by any
                -- process), so the Overview reads a few hundred rows instead of counting the whole range. Reactions
                -- count on the day of the question they rate; a reaction to a question not (yet) audited is not counted.
                CREATE TABLE audit_day_counts (
                    day      integer NOT NULL,
                    platform text    NOT NULL,
                    outcome  text    NOT NULL,
                    n        integer NOT NULL,
                    PRIMARY KEY (day, platform, outcome)
                );
                INSERT INTO audit_day_counts (day, platform, outcome, n)
                    SELECT day, platform, outcome, count(*) FROM audit GROUP BY 1, 2, 3;
                CREATE FUNCTION audit_day_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO audit_day_counts (day, platform, outcome, n) VALUES (NEW.day, NEW.platform, NEW.outcome, 1)
                            ON CONFLICT (day, platform, outcome) DO UPDATE SET n = audit_day_counts.n + 1;
                        RETURN NEW;
                    END IF;
                    UPDATE audit_day_counts SET n = n - 1 WHERE day = OLD.day AND platform = OLD.platform AND outcome = OLD.outcome;
                    RETURN OLD;
                END
                $$;
                CREATE TRIGGER audit_day_counts_change AFTER INSERT OR DELETE ON audit
                    FOR EACH ROW EXECUTE FUNCTION audit_day_counts_change();

                CREATE TABLE feedback_day_counts (
                    day      integer NOT NULL,
                    platform text    NOT NULL,
                    reaction text    NOT NULL,
                    n        integer NOT NULL,
                    PRIMARY KEY (day, platform, reaction)
                );
                INSERT INTO feedback_day_counts (day, platform, reaction, n)
                    SELECT a.day, f.platform, f.reaction, count(*) FROM feedback f JOIN audit a ON a.answer_id = f.answer_id GROUP BY 1, 2, 3;
                CREATE FUNCTION feedback_day_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO feedback_day_counts (day, platform, reaction, n)
                            SELECT a.day, NEW.platform, NEW.reaction, 1 FROM audit a WHERE a.answer_id = NEW.answer_id
                            ON CONFLICT (day, platform, reaction) DO UPDATE SET n = feedback_day_counts.n + 1;
                        RETURN NEW;
                    END IF;
                    UPDATE feedback_day_counts SET n = n - 1
                    WHERE platform = OLD.platform AND reaction = OLD.reaction
                      AND day = (SELECT a.day FROM audit a WHERE a.answer_id = OLD.answer_id);
                    RETURN OLD;
                END
                $$;
                CREATE TRIGGER feedback_day_counts_change AFTER INSERT OR DELETE ON feedback
                    FOR EACH ROW EXECUTE FUNCTION feedback_day_counts_change();
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
