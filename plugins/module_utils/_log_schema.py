# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The observed schema in onegate_log_report: per log type, the fields its lines carry, with their JSON types and
example values. Lines are grouped by their keys (a shape); the values of the first lines of each group are looked at.
Python 3.9 and the standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_values import (
    MAX_RAW,
    example,
    field_name,
    json_type,
    short,
)

MAX_FIELDS = 100  # per log_type
MAX_SHAPES = 1000  # distinct (log_type, keys, params keys) combinations followed exactly
MAX_SHAPE_KEYS = 64  # a line with more keys than this is counted field by field
SAMPLE_PER_SHAPE = 20  # lines of each shape whose values are looked at for examples and types
FIELD_EXAMPLES = 3


class Shape:
    """The lines of one group (log type, keys, params keys): how many, and the type's label."""

    __slots__ = ("count", "log_type")

    def __init__(self, log_type):
        self.count = 0
        self.log_type = log_type


class LastShape:
    """The group of a type's last line, with its key views: a line with the same keys joins it at once."""

    __slots__ = ("keys", "params_keys", "shape")

    def __init__(self, keys, params_keys, shape):
        self.keys = keys
        self.params_keys = params_keys
        self.shape = shape


class Field:
    """A field of a type: the lines counted directly (outside the groups), its JSON types, example values."""

    __slots__ = ("count", "examples", "types")

    def __init__(self):
        self.count = 0
        self.types = set()
        self.examples = []


class Schema:
    """The schema tables of a report. The report's hot loop counts a line with the keys of its type's last line
    (``TypeCount.last``, a LastShape) into that group and ``sample``s its first lines; any other line goes to
    ``shape``."""

    __slots__ = ("fields", "fields_capped", "n_raw", "overflow", "raw_examples", "shapes")

    def __init__(self, examples):
        self.shapes = {}  # (type, keys, params keys) -> Shape
        self.overflow = 0  # lines outside the groups (too many keys, or too many groups)
        self.fields = {}  # type label -> {field: Field}
        self.fields_capped = {}
        self.raw_examples = {}
        self.n_raw = max(1, min(examples, 3))

    def new_type(self, log_type, raw):
        """A line of a type: its tables made on the first one, and its text kept as an example for the first few."""
        if log_type not in self.fields:
            self.fields[log_type] = {}
            self.fields_capped[log_type] = 0
            self.raw_examples[log_type] = []
        if len(self.raw_examples[log_type]) < self.n_raw:
            self.raw_examples[log_type].append(short(raw, MAX_RAW))

    def shape(self, rec, log_type, data, params):
        """The group of a line whose keys differ from the last line's of its type: found or made, then counted."""
        size = len(data) + (len(params) if params is not None else 0)
        if size > MAX_SHAPE_KEYS:
            # too many keys to follow as a group: its fields are counted one by one (bounded by MAX_FIELDS)
            self.overflow += 1
            self.sample(log_type, data, params, count=True)
            return
        key = (log_type, tuple(data), None if params is None else tuple(params))
        shape = self.shapes.get(key)
        if shape is None:
            if len(self.shapes) >= MAX_SHAPES:
                self.overflow += 1
                self.sample(log_type, data, params, count=True)
                return
            shape = self.shapes[key] = Shape(log_type)
        shape.count += 1
        rec.last = LastShape(data.keys(), None if params is None else params.keys(), shape)
        if shape.count <= SAMPLE_PER_SHAPE:
            self.sample(log_type, data, params)

    def sample(self, log_type, data, params, count=False):
        """Types and example values of a line's fields (and, for lines outside the shapes, their counts)."""
        fields = self.fields.get(log_type)
        if fields is None:
            return
        items = [(k, v) for k, v in data.items() if k != "params" or not isinstance(v, dict)]
        if isinstance(params, dict):
            items.append(("params", params))
            items += [("params." + str(k), v) for k, v in params.items()]
        for name, value in items:
            field = fields.get(name)  # a safe name is its own key
            if field is None:
                name = field_name(name)
                field = fields.get(name)
            if field is None:
                if len(fields) >= MAX_FIELDS:
                    if count:
                        self.fields_capped[log_type] += 1
                    continue
                field = fields[name] = Field()
            if count:
                field.count += 1
            field.types.add(json_type(value))
            if len(field.examples) < FIELD_EXAMPLES and not isinstance(value, dict):
                text = example(value)
                if text not in field.examples:
                    field.examples.append(text)

    def _field_counts(self):
        """Per type: field -> lines carrying it, from the shapes (exact)."""
        counts = {t: {} for t in self.fields}
        for (_shape_type, keys, pkeys), shape in self.shapes.items():
            per = counts[shape.log_type]
            names = [k for k in keys if k != "params" or pkeys is None]
            if pkeys is not None:
                names.append("params")
                names += ["params." + str(k) for k in pkeys]
            for name in names:
                name = field_name(name)
                per[name] = per.get(name, 0) + shape.count
        return counts

    def result(self, counts):
        """The schema of each type, given the types' line counts (type label -> count), in that order."""
        field_counts = self._field_counts()
        schema = {}
        for log_type, count in counts.items():
            fields = []
            for name, field in self.fields[log_type].items():
                seen = field_counts[log_type].get(name, 0) + field.count
                fields.append({"field": name, "count": seen, "types": sorted(field.types), "examples": field.examples})
            fields.sort(key=lambda f: (-f["count"], f["field"]))
            schema[log_type] = {
                "count": count,
                "fields": fields,
                "fields_capped": self.fields_capped[log_type],
                "raw_examples": self.raw_examples[log_type],
            }
        return schema
