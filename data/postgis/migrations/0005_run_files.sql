-- Each run's tables in the columnar run format (data/runfile), the same bytes the embedded store
-- keeps in a file: the server reads a run from them block by block and column by column, with
-- substring() fetching only the bytes asked for — which is why the column is stored EXTERNAL,
-- uncompressed in TOAST, where substring reads just the chunks it needs. token tells a reader
-- that the run it opened was replaced since. cells and tract_results stay the tables for SQL and
-- GIS users.
CREATE TABLE run_files (
    run_id  text PRIMARY KEY REFERENCES analysis_runs (id) ON DELETE CASCADE,
    token   bigint NOT NULL,
    data    bytea NOT NULL
);
ALTER TABLE run_files ALTER COLUMN data SET STORAGE EXTERNAL;
