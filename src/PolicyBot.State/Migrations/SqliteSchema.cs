namespace PolicyBot.State.Migrations;

/// <summary>The SQLite schema, version by version. Times are microseconds since the Unix epoch (INTEGER).</summary>
internal static class SqliteSchema
{
    public static Schema Current { get; } = new(
        "SQLite",
        [
            new(1, "audit, feedback, server settings, rate-limit buckets", """
                CREATE TABLE audit (
                    answer_id         TEXT    NOT NULL PRIMARY KEY,
                    at_us             INTEGER NOT NULL,
                    platform          TEXT    NOT NULL,
                    server_id         TEXT,
                    channel_id        TEXT,
                    user_hash         TEXT,
                    question          TEXT    NOT NULL,
                    outcome           TEXT    NOT NULL,
                    reason            TEXT,
                    cited_passage_ids TEXT    NOT NULL,
                    corpus_version    TEXT    NOT NULL,
                    latency_ms        REAL    NOT NULL
                );
                CREATE INDEX audit_at ON audit (at_us, answer_id);

                CREATE TABLE feedback (
                    id        INTEGER PRIMARY KEY AUTOINCREMENT,
                    answer_id TEXT    NOT NULL,
                    platform  TEXT    NOT NULL,
                    user_id   TEXT,
                    reaction  TEXT    NOT NULL,
                    comment   TEXT,
                    at_us     INTEGER NOT NULL
                );
                CREATE INDEX feedback_answer ON feedback (answer_id, at_us, id);
                CREATE INDEX feedback_at ON feedback (at_us);

                CREATE TABLE server_settings (
                    platform        TEXT    NOT NULL,
                    server_id       TEXT    NOT NULL,
                    answer_channels TEXT    NOT NULL,
                    updated_at_us   INTEGER NOT NULL,
                    PRIMARY KEY (platform, server_id)
                ) WITHOUT ROWID;

                CREATE TABLE rate_buckets (
                    bucket_key TEXT    NOT NULL PRIMARY KEY,
                    tokens     REAL    NOT NULL,
                    updated_us INTEGER NOT NULL,
                    granted    INTEGER NOT NULL
                ) WITHOUT ROWID;
                """),
            new(2, "generated secrets, expiring caches, delivery claims", """
                CREATE TABLE secrets (
                    name       TEXT    NOT NULL PRIMARY KEY,
                    value      TEXT    NOT NULL,
                    created_us INTEGER NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE cache_entries (
                    scope      TEXT    NOT NULL,
                    key        TEXT    NOT NULL,
                    value      TEXT    NOT NULL,
                    expires_us INTEGER NOT NULL,
                    seq        INTEGER NOT NULL,
                    PRIMARY KEY (scope, key)
                ) WITHOUT ROWID;
                CREATE INDEX cache_entries_order ON cache_entries (scope, seq);
                CREATE INDEX cache_entries_expiry ON cache_entries (scope, expires_us);

                CREATE TABLE delivery_claims (
                    scope      TEXT    NOT NULL,
                    claim_id   TEXT    NOT NULL,
                    expires_us INTEGER NOT NULL,
                    PRIMARY KEY (scope, claim_id)
                ) WITHOUT ROWID;
                CREATE INDEX delivery_claims_expiry ON delivery_claims (scope, expires_us);
                """),
            new(3, "answer text, suggested topics and confidence in the audit trail; indexes for the admin dashboard", """
                ALTER TABLE audit ADD COLUMN answer_text TEXT;
                ALTER TABLE audit ADD COLUMN suggested_topics TEXT NOT NULL DEFAULT '[]';
                ALTER TABLE audit ADD COLUMN confidence TEXT;
                CREATE INDEX audit_days ON audit (at_us / 86400000000, platform, outcome, latency_ms);
                CREATE INDEX audit_outcome_at ON audit (outcome, at_us);
                CREATE INDEX audit_platform_at ON audit (platform, at_us);
                CREATE INDEX feedback_reaction_answer ON feedback (reaction, answer_id);
                """),
            new(4, "watch subscriptions", """
                CREATE TABLE watches (
                    platform   TEXT    NOT NULL,
                    channel_id TEXT    NOT NULL,
                    kind       TEXT    NOT NULL,
                    match_key  TEXT    NOT NULL,
                    label      TEXT    NOT NULL,
                    server_id  TEXT,
                    reference  TEXT,
                    created_us INTEGER NOT NULL,
                    PRIMARY KEY (platform, channel_id, kind, match_key)
                );
                """),
            new(5, "main terms of each question (the coverage-gap key); partial indexes over the coverage gaps", """
                ALTER TABLE audit ADD COLUMN main_terms TEXT;
                CREATE INDEX audit_gaps_at ON audit (at_us, main_terms, outcome)
                    WHERE (outcome = 'Abstained' OR (outcome = 'Answered' AND confidence = 'Low'));
                CREATE INDEX audit_gaps_terms ON audit (main_terms, at_us)
                    WHERE (outcome = 'Abstained' OR (outcome = 'Answered' AND confidence = 'Low'));

                -- Questions and reactions per UTC day, kept by the database as rows are written and deleted (by any
                -- process), so the Overview reads a few hundred rows instead of counting the whole range. Reactions
                -- count on the day of the question they rate; a reaction to a question not (yet) audited is not counted.
                CREATE TABLE audit_day_counts (
                    day      INTEGER NOT NULL,
                    platform TEXT    NOT NULL,
                    outcome  TEXT    NOT NULL,
                    n        INTEGER NOT NULL,
                    PRIMARY KEY (day, platform, outcome)
                ) WITHOUT ROWID;
                INSERT INTO audit_day_counts (day, platform, outcome, n)
                    SELECT at_us / 86400000000, platform, outcome, count(*) FROM audit GROUP BY 1, 2, 3;
                CREATE TRIGGER audit_day_counts_insert AFTER INSERT ON audit
                BEGIN
                    INSERT INTO audit_day_counts (day, platform, outcome, n) VALUES (NEW.at_us / 86400000000, NEW.platform, NEW.outcome, 1)
                        ON CONFLICT (day, platform, outcome) DO UPDATE SET n = n + 1;
                END;
                CREATE TRIGGER audit_day_counts_delete AFTER DELETE ON audit
                BEGIN
                    UPDATE audit_day_counts SET n = n - 1
                    WHERE day = OLD.at_us / 86400000000 AND platform = OLD.platform AND outcome = OLD.outcome;
                END;

                CREATE TABLE feedback_day_counts (
                    day      INTEGER NOT NULL,
                    platform TEXT    NOT NULL,
                    reaction TEXT    NOT NULL,
                    n        INTEGER NOT NULL,
                    PRIMARY KEY (day, platform, reaction)
                ) WITHOUT ROWID;
                INSERT INTO feedback_day_counts (day, platform, reaction, n)
                    SELECT a.at_us / 86400000000, f.platform, f.reaction, count(*) FROM feedback f JOIN audit a ON a.answer_id = f.answer_id GROUP BY 1, 2, 3;
                CREATE TRIGGER feedback_day_counts_insert AFTER INSERT ON feedback
                BEGIN
                    INSERT INTO feedback_day_counts (day, platform, reaction, n)
                        SELECT a.at_us / 86400000000, NEW.platform, NEW.reaction, 1 FROM audit a WHERE a.answer_id = NEW.answer_id
                        ON CONFLICT (day, platform, reaction) DO UPDATE SET n = n + 1;
                END;
                CREATE TRIGGER feedback_day_counts_delete AFTER DELETE ON feedback
                BEGIN
                    UPDATE feedback_day_counts SET n = n - 1
                    WHERE platform = OLD.platform AND reaction = OLD.reaction
                      AND day = (SELECT a.at_us / 86400000000 FROM audit a WHERE a.answer_id = OLD.answer_id);
                END;
                """),
        ],
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER NOT NULL PRIMARY KEY,
            applied_at TEXT    NOT NULL
        );
        """,
        """
        INSERT INTO schema_migrations (version, applied_at) VALUES (@version, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
        """);
}
