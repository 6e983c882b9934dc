-- Overstated access: per content area, whether a program reaching the cell also reaches cells
-- with no demand figure, so that its seats are shared among too few (METHOD.md §13). NULL for
-- runs stored before the flag existed, and for runs that do not record it.
ALTER TABLE cells ADD COLUMN overstated boolean[];

-- The GIS view gains it, NULL where the cell has no data.
DROP VIEW cell_gaps;
CREATE VIEW cell_gaps AS
SELECT c.run_id, c.h3, to_hex(c.h3) AS h3_index, a.setting, a.name AS content_area, c.youth, c.need, c.urban,
       NULLIF(c.nearest[a.idx], 'Infinity') AS nearest, c.count[a.idx] AS count,
       NULLIF(c.access[a.idx], 'NaN') AS access, NULLIF(c.unmet[a.idx], 'NaN') AS unmet,
       NULLIF(c.gap[a.idx], 'NaN') AS gap, NULLIF(c.desert[a.idx], -1) AS desert,
       CASE WHEN c.youth IS NOT NULL THEN c.overstated[a.idx] END AS overstated, c.geom
FROM cells c JOIN run_content_areas a ON a.run_id = c.run_id;
