"""Checks the --shard=I/N runs of shard-2000.test: within each setting the shards are disjoint
and cover every test; every setting (jobs, order, recorded times) gives the same shards."""
import json
import sys

work, settings, count, total = sys.argv[1], sys.argv[2].split(','), int(sys.argv[3]), int(sys.argv[4])
shards_of = {}
for setting in settings:
    shards = []
    for i in range(1, count + 1):
        with open('%s/%s-%d.json' % (work, setting, i)) as f:
            shards.append(sorted(t['name'] for t in json.load(f)['tests']))
    names = [n for s in shards for n in s]
    assert len(names) == total, '%s: %d results, not %d' % (setting, len(names), total)
    assert len(set(names)) == total, '%s: a test is in two shards' % setting
    shards_of[setting] = shards
    print('%s: %d shards of %s tests, disjoint and complete' % (
        setting, count, '+'.join(str(len(s)) for s in shards)))
first = settings[0]
for setting in settings[1:]:
    assert shards_of[setting] == shards_of[first], '%s and %s give different shards' % (first, setting)
print('every setting gives the same shards')
