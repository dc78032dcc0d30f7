-- The ask's counters keep a campaign's name once a checkout has carried it: an index to find a
-- site's pledges by campaign quickly.
CREATE INDEX `pledges_site_campaign` ON `pledges` (`site`,`campaign`);
