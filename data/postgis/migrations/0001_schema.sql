-- stemgap's system of record. Tables live in the connection's schema (search_path); PostGIS
-- may live in public. Every geometry has a GiST index and every table a primary key, so each
-- opens in QGIS as it is.

CREATE EXTENSION IF NOT EXISTS postgis;

-- Areas (census tracts by default), replaced as a whole by each `ingest tracts`.
CREATE TABLE tracts (
    id        text PRIMARY KEY,
    name      text NOT NULL DEFAULT '',
    land_km2  double precision NOT NULL,
    ref       text NOT NULL DEFAULT '',       -- where the row came from in its file
    geom      geometry(MultiPolygon, 4326) NOT NULL
);
CREATE INDEX tracts_geom_gist ON tracts USING gist (geom);

-- One figure per area and canonical variable, with its margin of error and vintage.
CREATE TABLE demographics (
    area_id   text NOT NULL,
    variable  text NOT NULL,
    value     double precision NOT NULL,
    moe       double precision,               -- NULL: the source gives none
    vintage   text NOT NULL DEFAULT '',
    source    text NOT NULL DEFAULT '',       -- file:column
    ref       text NOT NULL DEFAULT '',
    PRIMARY KEY (area_id, variable)
);
CREATE INDEX demographics_variable ON demographics (variable);

-- Programs: the supply. A source's programs are replaced by re-loading that source.
CREATE TABLE programs (
    id             text PRIMARY KEY,
    name           text NOT NULL DEFAULT '',
    provider       text NOT NULL DEFAULT '',
    content_areas  text[] NOT NULL DEFAULT '{}',
    setting        text NOT NULL DEFAULT '',
    capacity       double precision,          -- NULL: not given
    source         text NOT NULL,
    extra          jsonb NOT NULL DEFAULT '{}',
    ref            text NOT NULL DEFAULT '',
    geom           geometry(Point, 4326) NOT NULL
);
CREATE INDEX programs_geom_gist ON programs USING gist (geom);
CREATE INDEX programs_source ON programs (source);

-- The files currently loaded: what they were and how they were read.
CREATE TABLE ingests (
    kind       text NOT NULL,
    source     text NOT NULL,
    sha256     text NOT NULL,
    rows       integer NOT NULL,
    vintage    text NOT NULL DEFAULT '',
    variables  text[] NOT NULL DEFAULT '{}',
    options    jsonb NOT NULL DEFAULT '{}',
    loaded_at  timestamptz NOT NULL,
    PRIMARY KEY (kind, source)
);

-- One analysis: its parameters, inputs and software.
CREATE TABLE analysis_runs (
    id              text PRIMARY KEY,
    created_at      timestamptz NOT NULL,
    software        text NOT NULL,
    resolution      integer NOT NULL,
    demand          text NOT NULL,
    demand_sources  jsonb NOT NULL,
    measure         text NOT NULL,
    access_unit     text NOT NULL,
    cost_unit       text NOT NULL,
    params          jsonb NOT NULL,               -- for queries
    params_text     text NOT NULL,                -- the parameters exactly as recorded
    inputs          jsonb NOT NULL,
    notes           jsonb NOT NULL
);
CREATE INDEX analysis_runs_created ON analysis_runs (created_at DESC);

-- A run's content areas; idx is the position of each in the arrays of cells and tract_results.
CREATE TABLE run_content_areas (
    run_id         text NOT NULL REFERENCES analysis_runs (id) ON DELETE CASCADE,
    idx            integer NOT NULL,
    name           text NOT NULL,
    programs       integer NOT NULL,
    mean_access    double precision NOT NULL,
    target         double precision NOT NULL,
    demand_total   double precision NOT NULL,
    desert_demand  double precision NOT NULL,
    desert_share   double precision NOT NULL,
    desert_areas   integer NOT NULL,
    PRIMARY KEY (run_id, idx),
    UNIQUE (run_id, name)
);

CREATE TABLE run_equity (
    run_id        text NOT NULL REFERENCES analysis_runs (id) ON DELETE CASCADE,
    ord           integer NOT NULL,
    content_area  text NOT NULL,
    grp           text NOT NULL,
    variable      text NOT NULL,
    total         double precision NOT NULL,
    in_desert     double precision NOT NULL,
    share         double precision NOT NULL,
    region_share  double precision NOT NULL,
    ratio         double precision NOT NULL,
    difference    double precision NOT NULL,
    areas         integer NOT NULL,
    PRIMARY KEY (run_id, ord)
);

-- A run's H3 cells. h3_r3, the resolution-3 parent, leads the key so that the table can be
-- distributed (Citus create_distributed_table) or list-partitioned on it with no schema change.
-- The arrays hold one entry per content area, in run_content_areas.idx order.
CREATE TABLE cells (
    run_id   text NOT NULL REFERENCES analysis_runs (id) ON DELETE CASCADE,
    h3_r3    bigint NOT NULL,
    h3       bigint NOT NULL,
    ord      integer NOT NULL,
    lat      double precision NOT NULL,
    lng      double precision NOT NULL,
    youth    double precision,                -- the allocated demand; NULL: no data
    area_id  text NOT NULL,
    need     double precision,
    urban    boolean NOT NULL,
    nearest  double precision[] NOT NULL,
    count    integer[] NOT NULL,
    access   double precision[] NOT NULL,
    unmet    double precision[] NOT NULL,
    gap      double precision[] NOT NULL,
    desert   smallint[] NOT NULL,             -- 1 desert, 0 not, -1 no data
    geom     geometry(Polygon, 4326) NOT NULL,
    PRIMARY KEY (h3_r3, run_id, h3)
);
CREATE INDEX cells_geom_gist ON cells USING gist (geom);
CREATE INDEX cells_run_ord ON cells (run_id, ord);

-- A run's rollups per area, keyed like cells (h3_r3 of the area's first cell).
CREATE TABLE tract_results (
    run_id         text NOT NULL REFERENCES analysis_runs (id) ON DELETE CASCADE,
    h3_r3          bigint NOT NULL,
    area_id        text NOT NULL,
    ord            integer NOT NULL,
    name           text NOT NULL DEFAULT '',
    demand         double precision,          -- NULL: no data
    need           double precision,
    urban          boolean NOT NULL,
    urban_basis    text NOT NULL,
    cells          integer NOT NULL,
    access         double precision[] NOT NULL,
    nearest        double precision[] NOT NULL,
    unmet          double precision[] NOT NULL,
    gap            double precision[] NOT NULL,
    desert_demand  double precision[] NOT NULL,
    desert_share   double precision[] NOT NULL,
    desert         boolean[] NOT NULL,
    reason         text[] NOT NULL,
    rank           integer[] NOT NULL,
    percentile     double precision[] NOT NULL,
    PRIMARY KEY (h3_r3, run_id, area_id)
);
CREATE INDEX tract_results_run_ord ON tract_results (run_id, ord);

-- One row per cell and content area, for GIS users: filter on run_id and content_area.
CREATE VIEW cell_gaps AS
SELECT c.run_id, c.h3, to_hex(c.h3) AS h3_index, a.name AS content_area, c.youth, c.need, c.urban,
       NULLIF(c.nearest[a.idx], 'Infinity') AS nearest, c.count[a.idx] AS count,
       NULLIF(c.access[a.idx], 'NaN') AS access, NULLIF(c.unmet[a.idx], 'NaN') AS unmet,
       NULLIF(c.gap[a.idx], 'NaN') AS gap, NULLIF(c.desert[a.idx], -1) AS desert, c.geom
FROM cells c JOIN run_content_areas a ON a.run_id = c.run_id;

-- One row per area and content area, with the area's geometry.
CREATE VIEW tract_gaps AS
SELECT r.run_id, r.area_id, r.name, a.name AS content_area, r.demand, r.need, r.urban,
       NULLIF(r.access[a.idx], 'NaN') AS access, NULLIF(r.gap[a.idx], 'NaN') AS gap,
       NULLIF(r.unmet[a.idx], 'NaN') AS unmet, NULLIF(r.desert_share[a.idx], 'NaN') AS desert_share,
       r.desert[a.idx] AS desert, r.reason[a.idx] AS reason, NULLIF(r.rank[a.idx], 0) AS rank, t.geom
FROM tract_results r
JOIN run_content_areas a ON a.run_id = r.run_id
JOIN tracts t ON t.id = r.area_id;
