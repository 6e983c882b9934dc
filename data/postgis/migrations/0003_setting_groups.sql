-- Setting groups: every series of a run is a content area measured within a group of program
-- settings (out of school, all…). Runs written before this migration measured every program
-- together, so they read as one group, "all".
ALTER TABLE analysis_runs ADD COLUMN setting_groups jsonb NOT NULL DEFAULT '[{"name": "all", "settings": []}]';

ALTER TABLE run_content_areas
    ADD COLUMN setting text NOT NULL DEFAULT 'all',
    ADD COLUMN too_few boolean NOT NULL DEFAULT false,       -- fewer programs than min_programs: not judged
    ADD COLUMN min_programs integer NOT NULL DEFAULT 0;
ALTER TABLE run_content_areas DROP CONSTRAINT run_content_areas_run_id_name_key;
ALTER TABLE run_content_areas ADD CONSTRAINT run_content_areas_series UNIQUE (run_id, setting, name);

ALTER TABLE run_equity ADD COLUMN setting text NOT NULL DEFAULT 'all';

-- The GIS views gain the setting group; desert and rank are NULL where an area is not judged.
DROP VIEW cell_gaps;
CREATE VIEW cell_gaps AS
SELECT c.run_id, c.h3, to_hex(c.h3) AS h3_index, a.setting, a.name AS content_area, c.youth, c.need, c.urban,
       NULLIF(c.nearest[a.idx], 'Infinity') AS nearest, c.count[a.idx] AS count,
       NULLIF(c.access[a.idx], 'NaN') AS access, NULLIF(c.unmet[a.idx], 'NaN') AS unmet,
       NULLIF(c.gap[a.idx], 'NaN') AS gap, NULLIF(c.desert[a.idx], -1) AS desert, c.geom
FROM cells c JOIN run_content_areas a ON a.run_id = c.run_id;

DROP VIEW tract_gaps;
CREATE VIEW tract_gaps AS
SELECT r.run_id, r.area_id, r.name, a.setting, a.name AS content_area, r.demand, r.need, r.urban,
       NULLIF(r.access[a.idx], 'NaN') AS access, NULLIF(r.gap[a.idx], 'NaN') AS gap,
       NULLIF(r.unmet[a.idx], 'NaN') AS unmet, NULLIF(r.desert_share[a.idx], 'NaN') AS desert_share,
       CASE WHEN r.demand > 0 AND NOT a.too_few THEN r.desert[a.idx] END AS desert,
       r.reason[a.idx] AS reason, NULLIF(r.rank[a.idx], 0) AS rank, t.geom
FROM tract_results r
JOIN run_content_areas a ON a.run_id = r.run_id
JOIN tracts t ON t.id = r.area_id;
