-- The inputs each run was computed from, kept so that a run's exports, tiles and reports never
-- change when files are loaded after it. Each kind of input is kept as a set named by the digest
-- of its content (data.Digests): runs of the same inputs share one copy, written by the first
-- of them, and a set lives as long as a run names it. The rows keep the order the analysis
-- read them in (ord).
CREATE TABLE input_sets (
    digest      text PRIMARY KEY,
    kind        text NOT NULL,                -- tracts, demographics, programs
    rows        integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The rows of a set have the columns of the table they were read from (LIKE copies the columns,
-- their types and NOT NULLs), behind the set's digest and the row's position.
CREATE TABLE input_tracts (
    set_digest  text NOT NULL REFERENCES input_sets (digest) ON DELETE CASCADE,
    ord         integer NOT NULL,
    LIKE tracts,
    PRIMARY KEY (set_digest, ord)
);
CREATE INDEX input_tracts_geom_gist ON input_tracts USING gist (geom);
CREATE INDEX input_tracts_id ON input_tracts (set_digest, id);

CREATE TABLE input_demographics (
    set_digest  text NOT NULL REFERENCES input_sets (digest) ON DELETE CASCADE,
    ord         integer NOT NULL,
    LIKE demographics,
    PRIMARY KEY (set_digest, ord)
);

CREATE TABLE input_programs (
    set_digest  text NOT NULL REFERENCES input_sets (digest) ON DELETE CASCADE,
    ord         integer NOT NULL,
    LIKE programs,
    PRIMARY KEY (set_digest, ord)
);
CREATE INDEX input_programs_geom_gist ON input_programs USING gist (geom);

-- input_records lists the files behind the sets; it is NULL for runs stored before runs kept
-- their inputs. An empty kind has no set.
ALTER TABLE analysis_runs
    ADD COLUMN input_records     jsonb,
    ADD COLUMN areas_set         text REFERENCES input_sets (digest),
    ADD COLUMN demographics_set  text REFERENCES input_sets (digest),
    ADD COLUMN programs_set      text REFERENCES input_sets (digest);

-- A run's tracts are drawn with the geometry it was computed on.
DROP VIEW tract_gaps;
CREATE VIEW tract_gaps AS
SELECT r.run_id, r.area_id, r.name, a.setting, a.name AS content_area, r.demand, r.need, r.urban,
       NULLIF(r.access[a.idx], 'NaN') AS access, NULLIF(r.gap[a.idx], 'NaN') AS gap,
       NULLIF(r.unmet[a.idx], 'NaN') AS unmet, NULLIF(r.desert_share[a.idx], 'NaN') AS desert_share,
       CASE WHEN r.demand > 0 AND NOT a.too_few THEN r.desert[a.idx] END AS desert,
       r.reason[a.idx] AS reason, NULLIF(r.rank[a.idx], 0) AS rank, t.geom
FROM tract_results r
JOIN run_content_areas a ON a.run_id = r.run_id
JOIN analysis_runs ar ON ar.id = r.run_id
JOIN input_tracts t ON t.set_digest = ar.areas_set AND t.id = r.area_id;
