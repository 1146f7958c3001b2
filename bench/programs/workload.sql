-- bench/programs/workload.sql - inserts, an index and queries for sqlite3 :memory:.
-- Deterministic output: the same under every allocator.
CREATE TABLE t(id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, val REAL);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200000)
INSERT INTO t(grp, name, val) SELECT i % 1000, printf('name-%08d-%s', i, hex(i * 7919)), (i * 37 % 1001) / 7.0 FROM c;
CREATE INDEX t_grp ON t(grp, val);
SELECT count(*), sum(grp), round(sum(val), 3) FROM t;
SELECT grp, count(*), round(avg(val), 4), max(name) FROM t GROUP BY grp ORDER BY grp DESC LIMIT 5;
SELECT name FROM t WHERE grp = 42 ORDER BY val DESC, id LIMIT 3;
UPDATE t SET name = name || '-x' WHERE id % 5 = 0;
DELETE FROM t WHERE id % 7 = 0;
SELECT count(*), sum(length(name)) FROM t;
SELECT a.grp, count(*) FROM t a JOIN t b ON a.id = b.id + 1 WHERE a.grp < 10 GROUP BY a.grp ORDER BY a.grp LIMIT 3;
