-- The county each tract lies in, as its file names it: the map outlines and labels counties.
ALTER TABLE tracts ADD COLUMN county text NOT NULL DEFAULT '';
