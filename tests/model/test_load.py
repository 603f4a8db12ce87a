"""Reading process files: the invalid corpus with exact messages, every issue at once, safe YAML.

Each file in ``invalid/`` holds one problem (or, for ``several_*``, a few) and :data:`CORPUS` holds the
exact first line that ``bpr validate`` prints for it. A change of wording shows up here on purpose: the
messages are part of what users read, so they are reviewed like code.
"""

from __future__ import annotations

import os
import re
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pydantic import BaseModel

from bpr.changes import load_process as load_any  # process files and change lists
from bpr.errors import Issue, ModelError
from bpr.model import schema
from bpr.model.distributions import (
    DISTRIBUTION_NAMES,
    Choice,
    Empirical,
    Exponential,
    Fixed,
    Lognormal,
    Normal,
    Triangular,
    Uniform,
)
from bpr.model.load import (
    MAX_BYTES,
    dump_process,
    load_process,
    parse_process,
    process_from_data,
    read_yaml,
)

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
INVALID = HERE / "invalid"
VALID = HERE / "valid"

# file -> the first line of its error message, exactly as printed (file:line:col: path: message — hint)
CORPUS: dict[str, str] = {
    "alias.yaml": "alias.yaml:27:11: aliases ('*name') are not allowed — write the value out in full",
    "alias_bomb.yaml": "alias_bomb.yaml:1:4: anchors ('&a') are not allowed — write the value out in full",
    "anchor.yaml": "anchor.yaml:5:10: anchors ('&boss') are not allowed — write the value out in full",
    "bad_clock.yaml": "bad_clock.yaml:29:22: steps[2].batch[1]: cannot read time of day '25:30'; write HH:MM such as '08:30'",
    "bad_holidays.yaml": "bad_holidays.yaml:3:22: calendar.holidays: unknown holiday country 'XX'; use an ISO 3166 code such as 'JP' (or null for no holidays) — JP for Japan; null for no public holidays",
    "holidays_not_a_country.yaml": "holidays_not_a_country.yaml:3:22: calendar.holidays: unknown holiday country 'MON'; use an ISO 3166 code such as 'JP' (or null for no holidays) — JP for Japan; null for no public holidays",
    "bad_indentation.yaml": "bad_indentation.yaml:27:10: invalid YAML: mapping values are not allowed here — check the indentation of this line, or quote a value that contains ': '",
    "bad_triangle.yaml": 'bad_triangle.yaml:28:15: steps[2].duration: need min <= mode <= max, got 5.0, 40.0, 30.0',
    "bad_working_hours.yaml": "bad_working_hours.yaml:3:20: calendar.hours[0]: working hours '17:15-08:30' end before they start",
    "binary.yaml": 'binary.yaml:3:1: file contains NUL bytes: not a text file — give a YAML file',
    "line_separator_in_comment.yaml": "line_separator_in_comment.yaml:2:8: character U+2028 (line separator) is not allowed in a YAML file — YAML reads it as a line break that editors do not show; delete it or use a space",
    "next_line_in_name.yaml": "next_line_in_name.yaml:2:10: character U+0085 (next line, NEL) is not allowed in a YAML file — YAML reads it as a line break that editors do not show; delete it or use a space",
    "branch_two_rules.yaml": "branch_two_rules.yaml:23:9: steps[1].next[1]: a branch needs exactly one of 'probability', 'when' or 'otherwise: true'",
    "comment_only.yaml": 'comment_only.yaml:1:1: file is empty — start from docs/format.md',
    "complex_key.yaml": 'complex_key.yaml:4:5: mapping keys must be plain text',
    "condition_ampersand.yaml": "condition_ampersand.yaml:22:30: steps[1].next[0].when: unexpected character '&' at column 12 in condition 'amount > 1 && amount < 5'; use 'and', 'or', 'not'",
    "condition_assignment.yaml": "condition_assignment.yaml:22:30: steps[1].next[0].when: unexpected character '=' at column 8 in condition 'amount = 100000'; use '==' to compare",
    "condition_call.yaml": 'condition_call.yaml:22:30: steps[1].next[0].when: calls are not allowed at column 5 in condition "open(\'/etc/passwd\')"; only comparisons, and/or/not, numbers, strings and attribute names are allowed',
    "condition_comprehension.yaml": "condition_comprehension.yaml:22:30: steps[1].next[0].when: expected a number, a string or true/false, got 'x' at column 2 in condition '[x for x in ()]'; only comparisons, and/or/not, numbers, strings and attribute names are allowed",
    "condition_dunder.yaml": "condition_dunder.yaml:22:30: steps[1].next[0].when: unexpected character '.' at column 7 in condition 'amount.__class__'; attribute access is not allowed (write numbers with a leading digit: 0.5)",
    "condition_import.yaml": 'condition_import.yaml:22:30: steps[1].next[0].when: unexpected character \'.\' at column 17 in condition "__import__(\'os\').system(\'rm -rf /\')"; attribute access is not allowed (write numbers with a leading digit: 0.5)',
    "condition_in_without_list.yaml": 'condition_in_without_list.yaml:22:30: steps[1].next[0].when: \'in\' needs a list such as ["a", "b"] on its right at column 8 in condition \'amount in amount\'',
    "condition_lambda.yaml": "condition_lambda.yaml:22:30: steps[1].next[0].when: unexpected character ':' at column 7 in condition 'lambda: 1'; only comparisons, and/or/not, numbers, strings and attribute names are allowed",
    "condition_loop.yaml": "condition_loop.yaml:22:9: steps[1].next[0]: cases taking this branch (when 'amount > 100000') loop through receive, route, chief_ok for ever: only 'route' leads out, and it decides the same way every time — attributes do not change during a case; add a way out such as a rejection or a probability branch",
    "condition_not_text.yaml": 'condition_not_text.yaml:22:30: steps[1].next[0].when: expected text, got 100000 — put it in quotes to keep it as written',
    "condition_too_deep.yaml": "condition_too_deep.yaml:22:30: steps[1].next[0].when: condition nested deeper than 30 levels at column 31 in condition '(((((((((((((((((((((((((((((((amount > 1)))))))))))))))))))))))))))))))'",
    "condition_too_long.yaml": 'condition_too_long.yaml:22:30: steps[1].next[0].when: condition is longer than 500 characters',
    "condition_type_mismatch.yaml": "condition_type_mismatch.yaml:22:30: steps[1].next[0].when: number attribute 'amount' is never equal to the text 'high' — compare text with text and numbers with numbers",
    "condition_unfinished.yaml": "condition_unfinished.yaml:22:30: steps[1].next[0].when: expected an attribute name, a number, a string or a list, got end of condition at column 20 in condition 'amount > 100000 and'; only comparisons, and/or/not, numbers, strings and attribute names are allowed",
    "condition_unknown_value.yaml": "condition_unknown_value.yaml:23:30: steps[1].next[0].when: attribute 'kind' is never 'nwe'; its values are change, new — did you mean 'new'?",
    "condition_unknown_attribute.yaml": "condition_unknown_attribute.yaml:22:30: steps[1].next[0].when: condition reads 'amout', which is not a case attribute — did you mean 'amount'?",
    "control_character.yaml": 'control_character.yaml:2:9: character U+0007 is not allowed in a YAML file — delete it: YAML allows printable characters, tabs and line breaks',
    "custom_tag.yaml": "custom_tag.yaml:16:15: tag '!minutes' is not allowed — process files use plain YAML only",
    "dangling_branch.yaml": "dangling_branch.yaml:22:14: steps[1].next[0].to: no step 'chef_ok' — did you mean 'chief_ok'?",
    "dangling_next.yaml": "dangling_next.yaml:30:11: steps[2].next: no step 'dnoe' — did you mean 'done'?",
    "dangling_reject.yaml": "dangling_reject.yaml:29:36: steps[2].reject.to: no step 'recieve' — did you mean 'receive'?",
    "dangling_start.yaml": "dangling_start.yaml:8:8: start: no step 'recieve' — did you mean 'receive'?",
    "dead_end.yaml": "dead_end.yaml:24:5: steps[2]: step 'chief_ok' is a dead end: no case that gets here can finish — route it, directly or through its successors, to an end step",
    "decision_without_otherwise.yaml": 'decision_without_otherwise.yaml:22:7: steps[1].next: a case that matches no condition would have nowhere to go; end the list with {to: ..., otherwise: true}',
    "duplicate_key.yaml": "duplicate_key.yaml:29:5: duplicate key 'duration' — each key may appear once in a mapping",
    "duplicate_step_id.yaml": "duplicate_step_id.yaml:34:10: steps[4].id: duplicate step id 'done' — ids must be unique",
    "duration_in_words.yaml": "duration_in_words.yaml:16:15: steps[0].duration: unknown time unit 'minutes' in '15 minutes'; write '15m'",
    "duration_month.yaml": "duration_month.yaml:16:15: steps[0].duration: unknown time unit 'mo' in '1mo'; use s, m, h, d or w",
    "duration_unknown_unit.yaml": "duration_unknown_unit.yaml:16:15: steps[0].duration: unknown time unit 'fortnights' in '2 fortnights'; use s, m, h, d or w",
    "duration_without_unit.yaml": "duration_without_unit.yaml:16:15: steps[0].duration: duration 15 has no unit; write e.g. '15m' (minutes) or '15h' (hours)",
    "empty.yaml": 'empty.yaml:1:1: file is empty — start from docs/format.md',
    "japanese_id.yaml": "japanese_id.yaml:12:9: steps[0].id: '受付' is not a valid id: use ASCII letters, digits and '_', starting with a letter — put Japanese text in 'name:'",
    "join_is_not_a_join.yaml": "join_is_not_a_join.yaml:11:80: steps[1].join: 'budget_ok' is an approval, not a join — point 'join:' at a step with type: join",
    "join_without_parallel.yaml": "join_without_parallel.yaml:11:5: steps[1]: join 'precheck' belongs to no parallel step — name it in a parallel step's 'join:'",
    "loop_no_exit.yaml": "loop_no_exit.yaml:12:5: steps[0]: step 'receive' is in a loop with no exit: no case that gets here can finish — route it, directly or through its successors, to an end step",
    "merge_key.yaml": "merge_key.yaml:6:5: merge keys ('<<') are not allowed — write the fields out",
    "missing_field.yaml": 'missing_field.yaml:12:5: steps[0].role: required field is missing',
    "missing_step_type.yaml": "missing_step_type.yaml:12:5: steps[0].type: missing 'type:'; one of task, approval, handoff, wait, decision, parallel, join, end",
    "mixed_branches.yaml": 'mixed_branches.yaml:22:7: steps[1].next: mix of probability and condition branches; use one kind per decision',
    "negative_duration.yaml": "negative_duration.yaml:16:15: steps[0].duration: duration '-15m' is negative; a duration is 0 or more",
    "negative_sd.yaml": "negative_sd.yaml:16:15: steps[0].duration: duration '-5m' is negative; a duration is 0 or more",
    "no_end.yaml": 'no_end.yaml:12:3: steps: the process has no end step — add a step with type: end',
    "no_roles.yaml": 'no_roles.yaml:3:8: roles: needs at least 1 entry, has 0',
    "not_utf8.yaml": 'not_utf8.yaml:2:7: file is not valid UTF-8 — save it as UTF-8',
    "one_branch.yaml": 'one_branch.yaml:22:7: steps[1].next: needs at least 2 entries, has 1',
    "otherwise_not_last.yaml": "otherwise_not_last.yaml:22:7: steps[1].next: 'otherwise' must be the last branch",
    "parallel_branch_misses_join.yaml": "parallel_branch_misses_join.yaml:11:52: steps[1].next[0]: branch 'legal_ok' never reaches join 'joined' — route the branch to the join",
    "parallel_escape.yaml": "parallel_escape.yaml:11:52: steps[1].next[0]: branch 'legal_ok' can reach end 'done' without passing join 'joined' — every branch of a parallel split must meet at its join",
    "parallel_same_branch_twice.yaml": 'parallel_same_branch_twice.yaml:11:51: steps[1].next: a parallel step lists the same branch twice',
    "parameter_without_unit.yaml": "parameter_without_unit.yaml:16:15: steps[0].duration: duration 15 has no unit; write e.g. '15m' (minutes) or '15h' (hours)",
    "probabilities_not_one.yaml": 'probabilities_not_one.yaml:22:7: steps[1].next: branch probabilities sum to 0.9, not 1',
    "probability_above_one.yaml": 'probability_above_one.yaml:29:27: steps[2].reject.probability: must be at most 1, got 1.5',
    "python_tag.yaml": "python_tag.yaml:2:7: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed — process files use plain YAML only",
    "rate_in_words.yaml": "rate_in_words.yaml:10:11: arrivals[0].rate: cannot read rate '5 per day'; write a count per period: 3/hour, 40/day, 1200/year",
    "rate_number.yaml": 'rate_number.yaml:10:11: arrivals[0].rate: expected text, got 5 — put it in quotes to keep it as written',
    "rate_unknown_period.yaml": "rate_unknown_period.yaml:10:11: arrivals[0].rate: unknown period 'fortnight' in rate '5/fortnight'; use one of hour, day, week, month, year",
    "rate_zero.yaml": "rate_zero.yaml:10:11: arrivals[0].rate: rate '0/day' must be greater than 0",
    "reject_always.yaml": "reject_always.yaml:29:27: steps[2].reject.probability: approval 'chief_ok' returns every case (reject probability 1): no case ever passes it — a return for rework happens to some cases: use a value below 1",
    "scalar_document.yaml": "scalar_document.yaml:1:1: expected a mapping of fields at the top of the file, got text — start with 'id:', see docs/format.md",
    "several_documents.yaml": 'several_documents.yaml:34:1: invalid YAML: expected a single document in the stream, but found another document — one process per file',
    "several_problems.yaml": "several_problems.yaml:10:11: arrivals[0].rate: cannot read rate '5 per day'; write a count per period: 3/hour, 40/day, 1200/year",
    "profile_always_zero.yaml": "profile_always_zero.yaml:9:7: arrivals[0].profile: the profile of channel 'counter' is 0 at every hour its calendar is open: no case could ever arrive — give some open weekday and hour a weight above 0, or remove the stream",
    "several_references.yaml": "several_references.yaml:15:11: steps[0].role: no role 'clerck' — did you mean 'clerk'?",
    "step_to_itself.yaml": 'step_to_itself.yaml:17:11: steps[0].next: a step cannot lead to itself',
    "tabs.yaml": "tabs.yaml:4:1: invalid YAML: found character '\\t' that cannot start any token — YAML does not allow tabs for indentation; use spaces",
    "top_level_list.yaml": "top_level_list.yaml:1:1: expected a mapping of fields at the top of the file, got a list — start with 'id:', see docs/format.md",
    "unclosed_bracket.yaml": "unclosed_bracket.yaml:6:11: invalid YAML: expected ',' or '}', but got ':'",
    "unknown_calendar.yaml": "unknown_calendar.yaml:5:62: roles.chief.calendar: no calendar 'comittee' — did you mean 'committee'?",
    "unknown_channel.yaml": "unknown_channel.yaml:9:14: arrivals[0].channel: 'intranet' is not allowed; expected 'counter', 'mail', 'online', 'internal' or 'phone'",
    "unknown_distribution.yaml": "unknown_distribution.yaml:28:22: steps[2].duration.dist: unknown distribution 'triangle' — did you mean 'triangular'?",
    "unknown_field.yaml": "unknown_field.yaml:29:5: steps[2].stmp: unknown field; allowed: id, name, description, control, feasibility, type, role, duration, medium, stamp, checks, reject, batch, required_authority, delegations, citizen_present, digital_duration, simple, deadline, next — did you mean 'stamp'?",
    "unknown_role.yaml": "unknown_role.yaml:27:11: steps[2].role: no role 'cheif' — did you mean 'chief'?",
    "unknown_step_type.yaml": "unknown_step_type.yaml:14:11: steps[0].type: unknown step type 'tsak' — did you mean 'task'?",
    "unknown_top_field.yaml": "unknown_top_field.yaml:3:1: descripton: unknown field; allowed: format, id, name, description, version, calendar, calendars, roles, attributes, arrivals, start, deadline, steps — did you mean 'description'?",
    "unknown_weekday.yaml": "unknown_weekday.yaml:3:29: calendar.days[2]: 'wen' is not allowed; expected 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun' — did you mean 'wed'?",
    "unreachable.yaml": "unreachable.yaml:34:5: steps[4]: step 'archive' can never be reached — route a step to it, or delete it",
    "utf16.yaml": 'utf16.yaml:1:1: file is UTF-16, not UTF-8 — save it as UTF-8',
    "version_number.yaml": 'version_number.yaml:3:10: version: expected text, got 1.1 — put it in quotes to keep it as written',
    # hardening (issue 11): numbers, limits, line breaks, change lists and their bases
    "arrival_calendar_unknown.yaml": "arrival_calendar_unknown.yaml:6:48: arrivals[0].calendar: no calendar 'weekend' — declare it under 'calendars:' or use 'always'",
    "arrival_start_unknown.yaml": "arrival_start_unknown.yaml:6:45: arrivals[0].start: no step 'recieve' — did you mean 'receive'?",
    "arrivals_empty.yaml": 'arrivals_empty.yaml:5:11: arrivals: needs at least 1 entry, has 0',
    "attribute_mean_infinite.yaml": "attribute_mean_infinite.yaml:7:32: attributes.amount.mean: '.inf' is not a finite number — write an ordinary number: no .inf, .nan or exponent beyond 1e308",
    "attribute_unknown_dist.yaml": "attribute_unknown_dist.yaml:8:16: attributes.kind.dist: unknown distribution 'chioce' — did you mean 'choice'?",
    "authority_too_high.yaml": 'authority_too_high.yaml:5:32: roles.chief.authority: must be at most 20, got 99',
    "batch_time_invalid.yaml": "batch_time_invalid.yaml:18:81: steps[2].batch[1]: cannot read time of day '99:00'; write HH:MM such as '08:30'",
    "calendar_always_text.yaml": "calendar_always_text.yaml:3:20: calendar.always: expected true or false, got 'sometimes'",
    "calendar_days_empty_name.yaml": "calendar_days_empty_name.yaml:3:24: calendar.days[1]: '' is not allowed; expected 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'",
    "changes_base_invalid.yaml": "tabs.yaml:4:1: invalid YAML: found character '\\t' that cannot start any token — YAML does not allow tabs for indentation; use spaces",
    "changes_base_is_a_device.yaml": "changes_base_is_a_device.yaml:1:7: base: base '/dev/zero' is a device, not a process file — base: names the process file (a regular .yaml file) it changes",
    "changes_base_is_a_folder.yaml": "changes_base_is_a_folder.yaml:1:7: base: base '.' is a folder, not a process file — base: names the process file (a regular .yaml file) it changes",
    "changes_base_missing.yaml": "changes_base_missing.yaml:1:7: base: no base file 'befor.yaml' next to this change list — did you mean 'binary.yaml'?",
    "changes_base_name_too_long.yaml": "changes_base_name_too_long.yaml:1:7: base: base 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb…': cannot read file: File name too long — base: names the process file (a regular .yaml file) it changes",
    "changes_base_not_text.yaml": "changes_base_not_text.yaml:1:7: base: a change list needs 'base:' naming the process file it changes — base: before.yaml",
    "changes_circle_a.yaml": 'changes_circle_b.yaml:1:7: base: change lists are based on each other in a circle: changes_circle_a.yaml -> changes_circle_b.yaml -> changes_circle_a.yaml — one of them must be based on the process file itself',
    "changes_circle_b.yaml": 'changes_circle_a.yaml:1:7: base: change lists are based on each other in a circle: changes_circle_b.yaml -> changes_circle_a.yaml -> changes_circle_b.yaml — one of them must be based on the process file itself',
    "changes_cost_infinite.yaml": "changes_cost_infinite.yaml:3:36: changes[0].set.duration: '.inf' is not a finite number — write an ordinary number: no .inf, .nan or exponent beyond 1e308",
    "changes_digitize_unknown_step.yaml": "changes_digitize_unknown_step.yaml:3:16: changes[0].digitize[0]: step 'recieve' does not exist — did you mean 'receive'?",
    "changes_missing.yaml": "changes_missing.yaml:1:1: changes: 'changes:' must be a list of changes — write a list such as 'changes: [{remove: step_id}]'",
    "changes_not_a_list.yaml": "changes_not_a_list.yaml:2:10: changes: 'changes:' must be a list of changes — write a list such as 'changes: [{remove: step_id}]'",
    "changes_remove_unknown_step.yaml": "changes_remove_unknown_step.yaml:3:13: changes[0].remove: step 'recieve' does not exist — did you mean 'receive'?",
    "changes_set_unknown_field.yaml": "changes_set_unknown_field.yaml:3:34: changes[0].set.colour: a task step has no field 'colour'; fields: name, description, control, feasibility, role, duration, medium, rekey, citizen_present, stamp, digital_duration, simple, deadline, next",
    "changes_staff_unknown_role.yaml": "changes_staff_unknown_role.yaml:3:21: changes[0].staff.clerck: role 'clerck' does not exist — did you mean 'clerk'?",
    "changes_staff_zero.yaml": 'changes_staff_zero.yaml:3:20: changes[0].staff.clerk: staff must be between 1 and 100000, got 0',
    "changes_unknown_field.yaml": "changes_unknown_field.yaml:2:1: change: unknown field in a change list; allowed: base, changes, name, description — did you mean 'changes'?",
    "changes_unknown_kind.yaml": "changes_unknown_kind.yaml:3:5: changes[0].remvoe: unknown change 'remvoe' — did you mean 'remove'?",
    "choice_negative.yaml": 'choice_negative.yaml:8:9: attributes.kind: probabilities must not be negative',
    "choice_not_one.yaml": 'choice_not_one.yaml:8:9: attributes.kind: probabilities sum to 0.9, not 1',
    "closed_date_invalid.yaml": "closed_date_invalid.yaml:3:21: calendar.closed[0]: closed date '13-45' is not a day of the calendar (month 13, day 45) — e.g. '12-29' every year, '2026-05-01' once, or 'year_end' for 12-29 to 01-03",
    "condition_empty.yaml": 'condition_empty.yaml:16:30: steps[1].next[0].when: condition is empty',
    "condition_power.yaml": "condition_power.yaml:16:30: steps[1].next[0].when: unexpected character '*' at column 8 in condition 'amount ** 2 > 100000'; only comparisons, and/or/not, numbers, strings and attribute names are allowed",
    "condition_semicolon.yaml": "condition_semicolon.yaml:16:30: steps[1].next[0].when: unexpected character ';' at column 11 in condition 'amount > 1; import os'; only comparisons, and/or/not, numbers, strings and attribute names are allowed",
    "condition_subscript.yaml": 'condition_subscript.yaml:16:30: steps[1].next[0].when: expected \'and\', \'or\' or the end, got \'[\' at column 5 in condition "kind[0] == \'n\'"; only comparisons, and/or/not, numbers, strings and attribute names are allowed',
    "cost_infinite.yaml": "cost_infinite.yaml:4:24: roles.clerk.hourly_cost: '.inf' is not a finite number — write an ordinary number: no .inf, .nan or exponent beyond 1e308",
    "cost_nan.yaml": "cost_nan.yaml:4:24: roles.clerk.hourly_cost: '.nan' is not a finite number — write an ordinary number: no .inf, .nan or exponent beyond 1e308",
    "cost_negative.yaml": 'cost_negative.yaml:4:24: roles.clerk.hourly_cost: must be at least 0, got -3000',
    "cost_overflow.yaml": "cost_overflow.yaml:4:24: roles.clerk.hourly_cost: '1.0e+400' is not a finite number — write an ordinary number: no .inf, .nan or exponent beyond 1e308",
    "cr_dangling_next.yaml": "cr_dangling_next.yaml:8:64: steps[0].next: no step 'dnoe' — did you mean 'done'?",
    "crlf_dangling_next.yaml": "crlf_dangling_next.yaml:8:64: steps[0].next: no step 'dnoe' — did you mean 'done'?",
    "document_end_then_more.yaml": "document_end_then_more.yaml:11:1: invalid YAML: expected '<document start>', but found '<block mapping start>'",
    "duplicate_top_key.yaml": "duplicate_top_key.yaml:3:1: duplicate key 'id' — each key may appear once in a mapping",
    "duration_not_finite.yaml": "duration_not_finite.yaml:8:54: steps[0].duration: duration '99999999999999999999999999999…' is not finite",
    "empirical_negative.yaml": "empirical_negative.yaml:8:54: steps[0].duration: duration '-1m' is negative; a duration is 0 or more",
    "empirical_too_many.yaml": 'empirical_too_many.yaml:8:80: steps[0].duration.values: has 10001 entries; at most 10,000 are accepted',
    "end_with_next.yaml": 'end_with_next.yaml:9:27: steps[1].next: unknown field; allowed: id, name, description, control, feasibility, type, outcome',
    "escape_character.yaml": 'escape_character.yaml:2:9: character U+001B is not allowed in a YAML file — delete it: YAML allows printable characters, tabs and line breaks',
    "exponential_mean_zero.yaml": 'exponential_mean_zero.yaml:8:80: steps[0].duration.mean: must be greater than 0, got 0.0',
    "format_two.yaml": 'format_two.yaml:1:9: format: 2 is not allowed; expected 1',
    "hours_not_a_span.yaml": "hours_not_a_span.yaml:3:20: calendar.hours[0]: cannot read working hours '9 to 5'; write a span such as '08:30-12:00'",
    "id_starts_with_digit.yaml": "id_starts_with_digit.yaml:8:10: steps[0].id: '1receive' is not a valid id: use ASCII letters, digits and '_', starting with a letter — put Japanese text in 'name:'",
    "id_too_long.yaml": "id_too_long.yaml:1:5: id: is longer than 64 characters: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa…",
    "id_with_space.yaml": "id_with_space.yaml:8:10: steps[0].id: 'receive form' is not a valid id: use ASCII letters, digits and '_', starting with a letter — put Japanese text in 'name:'",
    "lognormal_sd_zero.yaml": 'lognormal_sd_zero.yaml:8:87: steps[0].duration.sd: must be greater than 0, got 0.0',
    "medium_unknown.yaml": "medium_unknown.yaml:8:66: steps[0].medium: 'fax' is not allowed; expected 'paper' or 'digital'",
    "name_is_a_list.yaml": "name_is_a_list.yaml:2:7: name: expected text, got ['最小', '手続']",
    "nesting_too_deep.yaml": 'nesting_too_deep.yaml:4:78: YAML nested deeper than 64 levels — a process file is a few levels deep',
    "paragraph_separator.yaml": 'paragraph_separator.yaml:2:9: character U+2029 (paragraph separator) is not allowed in a YAML file — YAML reads it as a line break that editors do not show; delete it or use a space',
    "profile_hour_24.yaml": 'profile_hour_24.yaml:6:54: arrivals[0].profile.hour[24]: must be at most 23, got 24',
    "profile_negative.yaml": 'profile_negative.yaml:6:63: arrivals[0].profile.weekday.mon: must be at least 0, got -1',
    "profile_unknown_weekday.yaml": "profile_unknown_weekday.yaml:6:58: arrivals[0].profile.weekday.funday: 'funday' is not allowed; expected 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'",
    "rate_negative.yaml": "rate_negative.yaml:6:30: arrivals[0].rate: cannot read rate '-10/day'; write a count per period: 3/hour, 40/day, 1200/year",
    "rate_not_finite.yaml": "rate_not_finite.yaml:6:30: arrivals[0].rate: rate '10000000000000000000000000000…' is not a finite number",
    "reject_probability_negative.yaml": 'reject_probability_negative.yaml:18:86: steps[2].reject.probability: must be at least 0, got -0.1',
    "reject_to_unknown.yaml": "reject_to_unknown.yaml:18:95: steps[2].reject.to: no step 'recieve' — did you mean 'receive'?",
    "required_authority_too_high.yaml": 'required_authority_too_high.yaml:18:93: steps[2].required_authority[0].level: must be at most 20, got 30',
    "role_calendar_unknown.yaml": "role_calendar_unknown.yaml:4:21: roles.clerk.calendar: no calendar 'parttime' — declare it under 'calendars:' or use 'always'",
    "roles_a_list.yaml": "roles_a_list.yaml:4:3: roles: expected a mapping of fields, got ['clerk']",
    "staff_fraction.yaml": "staff_fraction.yaml:4:18: roles.clerk.staff: staff must be a whole number from 1 to 100000, or 'unlimited'; got 1.5",
    "staff_huge_integer.yaml": "staff_huge_integer.yaml:4:18: roles.clerk.staff: cannot read '10000000000000000000'… as a value — write a shorter number, or quote it as text",
    "staff_negative.yaml": "staff_negative.yaml:4:18: roles.clerk.staff: staff must be a whole number from 1 to 100000, or 'unlimited'; got -2",
    "staff_too_many.yaml": "staff_too_many.yaml:4:18: roles.clerk.staff: staff must be a whole number from 1 to 100000, or 'unlimited'; got 1000000",
    "staff_zero.yaml": "staff_zero.yaml:4:18: roles.clerk.staff: staff must be a whole number from 1 to 100000, or 'unlimited'; got 0",
    "stamp_not_bool.yaml": "stamp_not_bool.yaml:18:71: steps[2].stamp: expected true or false, got 'maybe'",
    "step_type_null.yaml": "step_type_null.yaml:9:22: steps[1].type: unknown step type 'None' — use one of task, approval, handoff, wait, decision, parallel, join, end",
    "steps_a_mapping.yaml": "steps_a_mapping.yaml:8:3: steps: expected a list, got a mapping — write each entry on a line starting with '- '",
    "steps_empty.yaml": 'steps_empty.yaml:7:8: steps: needs at least 1 entry, has 0',
    "tag_binary.yaml": "tag_binary.yaml:2:7: tag 'tag:yaml.org,2002:binary' is not allowed — process files use plain YAML only",
    "tag_local.yaml": "tag_local.yaml:4:10: tag '!role' is not allowed — process files use plain YAML only",
    "tag_set.yaml": "tag_set.yaml:2:7: tag 'tag:yaml.org,2002:set' is not allowed — process files use plain YAML only",
    "too_many_values.yaml": 'too_many_values.yaml:7:89956: the file holds more than 30,000 values — a process file holds a few thousand; summarise long lists (e.g. an empirical duration as a fitted distribution)',
    "top_level_key_null.yaml": 'top_level_key_null.yaml:1:4: None: Keys should be strings',
    "top_level_key_number.yaml": 'top_level_key_number.yaml:1:1: [1]: Keys should be strings (got 1)',
    "unclosed_quote.yaml": 'unclosed_quote.yaml:2:7: invalid YAML: while scanning a quoted scalar that never ends — close the quote or bracket opened here',
    "uniform_max_below_min.yaml": 'uniform_max_below_min.yaml:8:54: steps[0].duration: max (5.0) must not be below min (10.0)',
}


def _first_line(name: str) -> str:
    with pytest.raises(ModelError) as caught:
        load_any(name)
    return str(caught.value).splitlines()[0]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_invalid_file_reports_its_problem_exactly(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)  # messages name the file as given: "tabs.yaml:4:1: ..."
    assert _first_line(name) == CORPUS[name]


def test_corpus_and_table_agree() -> None:
    on_disk = {path.name for path in INVALID.iterdir() if path.is_file()}
    assert on_disk == set(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_issues_carry_what_the_line_shows(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)
    with pytest.raises(ModelError) as caught:
        load_any(name)
    issues = caught.value.issues
    on_disk = {path.name for path in INVALID.iterdir()}  # a change list's issue may be in its (bad) base
    assert issues and all(isinstance(issue, Issue) and issue.file in on_disk for issue in issues)
    assert [issue.format() for issue in issues] == str(caught.value).splitlines()
    assert all("\n" not in issue.format() for issue in issues), "one issue, one line"


# --- nothing in a file is ever executed --------------------------------------------------------------


def test_python_tags_and_injected_conditions_never_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(os, "system", lambda *args: calls.append(args))
    monkeypatch.setattr(os, "popen", lambda *args: calls.append(args))
    monkeypatch.chdir(INVALID)
    for name in ("python_tag.yaml", "condition_import.yaml", "condition_call.yaml", "condition_dunder.yaml",
                 "condition_lambda.yaml", "condition_comprehension.yaml", "several_problems.yaml"):
        with pytest.raises(ModelError):
            load_process(name)
    assert calls == []


def test_alias_bomb_is_refused_before_it_expands() -> None:
    # Nine levels of nine aliases would be 9**9 (387 million) strings if expanded.
    text = (INVALID / "alias_bomb.yaml").read_text(encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        read_yaml(text, "bomb.yaml")
    assert caught.value.issues[0].message == "anchors ('&a') are not allowed"


# --- size, bytes and text ------------------------------------------------------------------------


def _padded(size: int) -> bytes:
    """A valid process padded with a comment to exactly ``size`` bytes."""
    body = (VALID / "minimal.yaml").read_bytes()
    pad = size - len(body) - 3
    assert pad >= 0
    return body + b"#" + b"x" * pad + b"\n\n"


def test_file_of_exactly_the_limit_loads(write_file) -> None:
    path = write_file("big.yaml", _padded(MAX_BYTES))
    assert path.stat().st_size == MAX_BYTES
    assert load_process(path).id == "minimal"


def test_file_over_the_limit_is_refused_without_reading_it_all(write_file) -> None:
    path = write_file("big.yaml", _padded(MAX_BYTES + 1))
    with pytest.raises(ModelError) as caught:
        load_process(path)
    assert str(caught.value) == f"{path}: file is larger than 1024 KiB — split it"


def test_text_over_the_limit_is_refused() -> None:
    text = _padded(MAX_BYTES + 1).decode("utf-8")
    with pytest.raises(ModelError) as caught:
        parse_process(text, file="big.yaml")
    assert str(caught.value) == "big.yaml: file is larger than 1024 KiB — split it"


def test_limit_counts_bytes_not_characters() -> None:
    # 400,000 three-byte characters are 1.2 MB in UTF-8 although only 0.4 million characters.
    text = "id: x\nname: " + "稟" * 400_000 + "\n"
    with pytest.raises(ModelError) as caught:
        parse_process(text, file="wide.yaml")
    assert caught.value.issues[0].message == "file is larger than 1024 KiB"


def test_integer_too_long_to_convert_is_an_issue() -> None:
    with pytest.raises(ModelError) as caught:
        parse_process("id: x\nname: y\nroles: {a: {staff: 1" + "0" * 5000 + "}}\n", file="n.yaml")
    assert str(caught.value) == (
        "n.yaml:3:20: roles.a.staff: cannot read '10000000000000000000'… as a value — write a shorter number, or quote it as text"
    )


def test_hex_integer_too_long_to_print_is_shown_short() -> None:
    with pytest.raises(ModelError) as caught:
        parse_process("id: 0x" + "f" * 5000 + "\n", file="n.yaml")
    assert "n.yaml:1:5: id: expected text, got a number too long to show" in str(caught.value)


def test_utf8_byte_order_mark_is_accepted() -> None:
    text = (VALID / "minimal.yaml").read_bytes()
    assert parse_process(b"\xef\xbb\xbf" + text).id == "minimal"


def test_nul_in_text_input_is_refused() -> None:
    with pytest.raises(ModelError) as caught:
        parse_process("id: x\x00\n", file="t.yaml")
    assert str(caught.value) == "t.yaml:1:6: file contains NUL characters: not a text file — give a YAML file"


def test_nesting_too_deep_is_an_issue() -> None:
    with pytest.raises(ModelError) as caught:
        parse_process("a: " + "[" * 5000 + "]" * 5000, file="deep.yaml")
    assert str(caught.value) == "deep.yaml:1:67: YAML nested deeper than 64 levels — a process file is a few levels deep"


def test_nesting_at_the_limit_is_read() -> None:
    from bpr.model.load import MAX_DEPTH, read_yaml

    data, _ = read_yaml("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))
    depth, node = 0, data["a"]
    while isinstance(node, list) and node:
        node, depth = node[0], depth + 1
    assert depth == MAX_DEPTH - 2


def test_missing_file_suggests_a_neighbour(write_file) -> None:
    path = write_file("before.yaml", (VALID / "minimal.yaml").read_text(encoding="utf-8"))
    with pytest.raises(ModelError) as caught:
        load_process(path.parent / "befor.yaml")
    assert str(caught.value) == f"{path.parent / 'befor.yaml'}: no such file — did you mean 'before.yaml'?"


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as caught:
        load_process(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a folder, not a process file"


# --- YAML 1.1 traps stay as written ---------------------------------------------------------------


def test_yaml11_traps_keep_the_text_as_written() -> None:
    process = load_process(VALID / "yaml11_traps.yaml")
    assert process.version == "1.10"
    assert process.calendar.holidays == "NO"  # Norway, not False
    assert process.calendar.hours == ("08:30-12:00", "13:00-17:15")
    assert process.calendar.closed == ("2026-05-01", "12-29")  # not datetime.date
    assert process.roles["clerk"].staff == 10  # not octal 8
    assert process.arrivals[0].rate == "1_200/year"
    assert process.step("chief_ok").batch == ("10:00", "16:00")  # not 600 and 960 (base 60)
    assert process.step("mail_run").departures == ("14:00",)
    assert [process.step(s).name for s in ("receive", "chief_ok", "done")] == ["yes", "on", "off"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("10:00", "10:00"),
        ("1:30:00", "1:30:00"),
        ("-1:30", "-1:30"),
        ("NO", "NO"),
        ("no", "no"),
        ("Yes", "Yes"),
        ("on", "on"),
        ("OFF", "OFF"),
        ("2026-05-01", "2026-05-01"),
        ("2026-05-01T10:00:00", "2026-05-01T10:00:00"),
        ("010", 10),
        ("-010", -10),
        ("0x10", 16),
        ("1_000", 1000),
        ("0.5", 0.5),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ('"10:00"', "10:00"),
        ("'NO'", "NO"),
    ],
)
def test_plain_scalars_read_as_people_mean_them(text: str, value: object) -> None:
    data, _ = read_yaml(f"a: {text}\n")
    assert data == {"a": value}
    assert type(data["a"]) is type(value)


def test_quoted_true_stays_text() -> None:
    assert read_yaml("a: 'true'\n")[0] == {"a": "true"}


# --- where things are ------------------------------------------------------------------------------


def test_locations_map_paths_to_line_and_column() -> None:
    text = (VALID / "minimal.yaml").read_text(encoding="utf-8")
    data, locations = read_yaml(text, "minimal.yaml")
    assert data["steps"][0]["duration"] == "5m"
    assert locations["id"] == (2, 5)
    assert locations["roles.clerk"] == (5, 10)
    assert locations["arrivals[0].rate"] == (7, 30)
    assert locations["steps[0].duration"] == (9, 54)
    assert locations["steps[1]"] == (10, 5)
    assert locations["steps[0].duration#key"] == (9, 44)  # where the key itself starts


def test_loaded_process_knows_where_its_fields_are() -> None:
    process = load_process(VALID / "minimal.yaml")
    assert process.source_file == str(VALID / "minimal.yaml")
    assert process.location("steps[0].next") == (9, 64)
    assert process.location("steps[0].duration.value") == (9, 54)  # nearest parent that is in the file
    assert process.location("nowhere") is None


def test_data_without_locations_still_names_the_path() -> None:
    data, _ = read_yaml((INVALID / "dangling_next.yaml").read_text(encoding="utf-8"))
    with pytest.raises(ModelError) as caught:
        process_from_data(data, file="api")
    assert str(caught.value) == "api: steps[2].next: no step 'dnoe' — did you mean 'done'?"


@pytest.mark.parametrize(("data", "kind"), [([1, 2], "a list"), ("x", "text"), (3, "a number"), (None, "null")])
def test_top_level_must_be_a_mapping(data: object, kind: str) -> None:
    with pytest.raises(ModelError) as caught:
        process_from_data(data, file="api")
    assert str(caught.value) == (
        f"api:1:1: expected a mapping of fields at the top of the file, got {kind} — start with 'id:', see docs/format.md"
    )


# --- every problem at once, sorted by line ---------------------------------------------------------


def _all_lines(name: str) -> list[str]:
    with pytest.raises(ModelError) as caught:
        load_process(name)
    lines = str(caught.value).splitlines()
    keys = [(issue.line or 0, issue.column or 0) for issue in caught.value.issues]
    assert keys == sorted(keys), "issues are sorted by position"
    return lines


def test_all_field_problems_are_reported_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)
    assert _all_lines("several_problems.yaml") == [
        "several_problems.yaml:10:11: arrivals[0].rate: cannot read rate '5 per day'; write a count per period: "
        "3/hour, 40/day, 1200/year",
        "several_problems.yaml:16:15: steps[0].duration: duration '-15m' is negative; a duration is 0 or more",
        "several_problems.yaml:22:30: steps[1].next[0].when: unexpected character '.' at column 17 in condition "
        "\"__import__('os').system('rm -rf /')\"; attribute access is not allowed (write numbers with a leading "
        "digit: 0.5)",
        "several_problems.yaml:28:22: steps[2].duration.dist: unknown distribution 'fixd' — did you mean 'fixed'?",
        "several_problems.yaml:29:5: steps[2].colour: unknown field; allowed: id, name, description, control, "
        "feasibility, type, role, duration, medium, stamp, checks, reject, batch, required_authority, delegations, "
        "citizen_present, digital_duration, simple, deadline, next",
    ]


def test_all_reference_problems_are_reported_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)
    assert _all_lines("several_references.yaml") == [
        "several_references.yaml:15:11: steps[0].role: no role 'clerck' — did you mean 'clerk'?",
        "several_references.yaml:22:30: steps[1].next[0].when: condition reads 'amont', which is not a case "
        "attribute — did you mean 'amount'?",
        "several_references.yaml:29:36: steps[2].reject.to: no step 'recieve' — did you mean 'receive'?",
        "several_references.yaml:30:11: steps[2].next: no step 'finished' — list of steps: receive, route, chief_ok, "
        "done",
    ]


def test_all_soundness_problems_are_reported_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)
    trapped = "no case that gets here can finish — route it, directly or through its successors, to an end step"
    assert _all_lines("loop_no_exit.yaml") == [
        f"loop_no_exit.yaml:12:5: steps[0]: step 'receive' is in a loop with no exit: {trapped}",
        f"loop_no_exit.yaml:18:5: steps[1]: step 'route' is in a loop with no exit: {trapped}",
        f"loop_no_exit.yaml:24:5: steps[2]: step 'chief_ok' is in a loop with no exit: {trapped}",
        "loop_no_exit.yaml:31:5: steps[3]: step 'done' can never be reached — route a step to it, or delete it",
    ]
    assert _all_lines("dead_end.yaml") == [
        f"dead_end.yaml:24:5: steps[2]: step 'chief_ok' is a dead end: {trapped}",
        f"dead_end.yaml:30:5: steps[3]: step 'check' is in a loop with no exit: {trapped}",
        f"dead_end.yaml:31:5: steps[4]: step 'recheck' is in a loop with no exit: {trapped}",
    ]


def test_model_error_sorts_issues_it_is_given() -> None:
    error = ModelError([Issue("b", file="f", line=9, column=1), Issue("a", file="f", line=2, column=7),
                        Issue("c", file="f", line=2, column=3)])
    assert [issue.message for issue in error.issues] == ["c", "a", "b"]


# --- change lists are not complete processes --------------------------------------------------------


def test_a_change_list_is_not_a_complete_process() -> None:
    with pytest.raises(ModelError) as caught:
        parse_process("base: before.yaml\nchanges: [{remove: receive}]\n", file="c.yaml")
    assert str(caught.value) == ("c.yaml:1:1: a change list (base: + changes:) is not a complete process — "
                                 "read it with bpr.load_process, which applies it to its base")


# --- whatever comes in, only ModelError goes out -----------------------------------------------------
#
# The REST service passes text from anyone to these functions: no input may raise anything but the
# project's own error (no RecursionError, UnicodeError, TypeError, KeyError, ValueError from inside
# PyYAML or pydantic).

# BPR_FUZZ_EXAMPLES=5000 python -m pytest tests/model/test_load.py -k only_model_error  for a deeper search
_FUZZ = settings(max_examples=int(os.environ.get("BPR_FUZZ_EXAMPLES", "150")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


def _only_model_error(call, *args) -> None:  # type: ignore[no-untyped-def]
    try:
        call(*args)
    except ModelError as error:
        assert error.issues and all("\n" not in issue.format() for issue in error.issues)


@_FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_model_error(raw: bytes) -> None:
    _only_model_error(parse_process, raw)


@_FUZZ
@given(st.text(max_size=400))
def test_random_text_raises_only_model_error(text: str) -> None:
    _only_model_error(parse_process, text)


_YAML_BITS = st.sampled_from([
    "id:", "name:", "steps:", "- ", "  ", "\n", "{", "}", "[", "]", ",", ": ", "&a ", "*a", "!!str ", "!x ",
    "? ", "---\n", "...\n", "'", '"', "#", "|\n", ">\n", "<<: ", "10:00", "NO", "~", "0x", "1e9", "受付", "\t",
    "type: task", "duration: 5m", "next: done", "dist: fixed", "rate: 1/day", "%YAML 1.1\n",
])


@_FUZZ
@given(st.lists(_YAML_BITS, max_size=40).map("".join))
def test_yaml_ish_text_raises_only_model_error(text: str) -> None:
    _only_model_error(parse_process, text)


_KEYS = st.sampled_from([
    "id", "name", "type", "next", "steps", "roles", "arrivals", "duration", "dist", "to", "probability", "when",
    "role", "rate", "channel", "calendar", "calendars", "reject", "batch", "join", "mean", "sd", "values",
    "attributes", "start", "hours", "days", "closed", "staff", "otherwise", "delay", "departures", "level",
    "required_authority", "delegations", "profile", "hour", "weekday", "control", "base", "changes",
]) | st.text(max_size=6)
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10),
    st.sampled_from(["task", "approval", "handoff", "decision", "parallel", "join", "end", "15m", "-1m", "5/day",
                     "fixed", "choice", "always", "10:00", "amount > 5", "JP", "counter", "unlimited"]),
)
_STRUCTURES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
                           max_leaves=40)


@_FUZZ
@given(st.dictionaries(_KEYS, _STRUCTURES, max_size=8))
@example({"attributes": {"\n": {}}})  # a missing 'dist:' under a key with a line break printed the break
def test_random_structures_raise_only_model_error(data: dict) -> None:
    _only_model_error(process_from_data, data)
    _only_model_error(parse_process, yaml.safe_dump(data, allow_unicode=True))


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, prefix + (index,))
    return found


@_FUZZ
@given(st.data())
def test_valid_files_with_random_damage_raise_only_model_error(data: st.DataObject) -> None:
    # Deep damage (a wrong type three levels down) reaches pydantic's and the loader's rarer paths.
    name = data.draw(st.sampled_from(["example.yaml", "yaml11_traps.yaml", "minimal.yaml"]))
    tree, _ = read_yaml((VALID / name).read_bytes())
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from([p for p in _paths(tree) if p]))
        parent = tree
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[data.draw(_KEYS)] = data.draw(_STRUCTURES)
        else:
            parent[path[-1]] = data.draw(_STRUCTURES)
    _only_model_error(process_from_data, tree)


# --- docs/format.md stays true ----------------------------------------------------------------------

DOC = ROOT / "docs" / "format.md"


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_the_documented_example_is_the_example_file_and_loads() -> None:
    doc = _doc()
    start = doc.index("<!-- example -->\n```yaml\n") + len("<!-- example -->\n```yaml\n")
    block = doc[start:doc.index("```\n", start)]
    example = (VALID / "example.yaml").read_text(encoding="utf-8")
    assert block == example
    process = parse_process(block, file="docs/format.md")
    assert process.id == "community_grant"
    assert {step.type for step in process.steps} == set(schema.STEP_TYPES)  # every kind of step
    assert {process.roles[r].department for r in process.roles} >= {"市民協働課", "財政課", "法務課", "審査会"}


def test_every_process_block_in_the_doc_loads() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", _doc(), flags=re.S)
    processes = [b for b in blocks if "\nsteps:" in b]
    assert len(processes) >= 2
    for block in processes:
        parse_process(block, file="docs/format.md")


def _documented_tables() -> dict[str, dict[str, str]]:
    """``<!-- fields: Model -->`` tables: model -> {field: default cell}."""
    tables: dict[str, dict[str, str]] = {}
    lines = _doc().splitlines()
    for i, line in enumerate(lines):
        match = re.fullmatch(r"<!-- fields: (\w+) -->", line)
        if not match:
            continue
        rows: dict[str, str] = {}
        for row in lines[i + 3:]:  # skip the header and the |---| line
            if not row.startswith("|"):
                break
            cells = [cell.strip() for cell in row.strip("|").split("|")]
            rows[cells[0].strip("`")] = cells[2]
        tables[match.group(1)] = rows
    return tables


def _models_of_the_format() -> dict[str, type[BaseModel]]:
    """Every model a process file can contain (distributions are documented in their own table)."""
    found: dict[str, type[BaseModel]] = {}
    todo: list[Any] = [schema.Process]
    while todo:
        annotation = todo.pop()
        origin = typing.get_origin(annotation)
        if origin is not None:
            todo.extend(typing.get_args(annotation))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation.__module__ == schema.__name__ and annotation.__name__ not in found:
                found[annotation.__name__] = annotation
                todo.extend(field.annotation for field in annotation.model_fields.values())
    found["StepBase"] = schema.StepBase
    return found


def _default_of(field: Any) -> object:
    def plain(value: object) -> object:
        if isinstance(value, (tuple, list)):
            return [plain(v) for v in value]
        return value

    return plain(field.default)


def test_field_tables_match_the_models_exactly() -> None:
    tables = _documented_tables()
    models = _models_of_the_format()
    assert set(tables) == set(models), "every model of the format has one table in docs/format.md"
    common = set(schema.StepBase.model_fields)
    for name, model in models.items():
        own = {f.alias or key: f for key, f in model.model_fields.items()
               if name == "StepBase" or not (issubclass(model, schema.StepBase) and key in common)}
        documented = tables[name]
        assert list(documented) == list(own), f"{name}: fields (in order) differ from the model"
        for key, field in own.items():
            cell = documented[key]
            if field.is_required():
                assert cell.startswith("required"), f"{name}.{key} is required, the doc says {cell}"
            elif field.default_factory is not None:
                assert cell == "(all calendar defaults)", f"{name}.{key}"
            else:
                shown, _ = read_yaml("v: " + cell.strip("`"))
                assert shown["v"] == _default_of(field), f"{name}.{key}: doc {cell}, model {field.default!r}"


def test_distribution_table_matches_the_models() -> None:
    doc = _doc()
    start = doc.index("<!-- distributions -->")
    rows = {}
    for row in doc[start:].splitlines()[3:]:
        if not row.startswith("|"):
            break
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        rows[cells[0].strip("`")] = set(re.findall(r"`(\w+)`", cells[1]))
    models = {m.model_fields["dist"].default: m for m in (Fixed, Exponential, Uniform, Triangular, Normal, Lognormal,
                                                           Empirical, Choice)}
    assert list(rows) == [*DISTRIBUTION_NAMES, "choice"]
    for dist, params in rows.items():
        expected = {f.alias or key for key, f in models[dist].model_fields.items()} - {"dist"}
        assert params == expected, dist


# --- estimates for a redesign: digital_duration and simple ---------------------------------------------

ESTIMATES = """id: x
name: x
roles: {clerk: {staff: 1}}
attributes: {kind: {dist: choice, values: {a: 0.5, b: 0.5}}}
arrivals: [{channel: counter, rate: 4/day}]
steps:
  - id: s
    type: task
    role: clerk
    duration: 10m
    digital_duration: {dist: triangular, min: 1m, mode: 2m, max: 6m}
    simple: %s
    next: e
  - {id: e, type: end}
"""


@pytest.mark.parametrize("lane, message", [
    ("{duration: 5m}", "p.yaml:12:13: steps[0].simple: give exactly one of 'when' (a condition) or 'share' (e.g. 0.4)"),
    ("{share: 1, duration: 5m}", "p.yaml:12:21: steps[0].simple.share: must be less than 1, got 1"),
    ("{when: 'knd == \"a\"', duration: 5m}",
     "p.yaml:12:20: steps[0].simple.when: condition reads 'knd', which is not a case attribute — did you mean 'kind'?"),
    ("{when: 'kind == \"c\"', duration: 5m}",
     "p.yaml:12:20: steps[0].simple.when: attribute 'kind' is never 'c'; its values are a, b"),
])
def test_a_simple_lane_is_checked_like_every_condition(lane: str, message: str) -> None:
    with pytest.raises(ModelError) as caught:
        parse_process(ESTIMATES % lane, file="p.yaml")
    assert str(caught.value) == message


def test_estimates_load_and_survive_a_round_trip() -> None:
    process = parse_process(ESTIMATES % "{when: 'kind == \"a\"', duration: 5m}", file="p.yaml")
    step = process.step("s")
    assert step.digital_duration.mean == pytest.approx(3.0) and step.simple.duration.mean == 5.0
    assert parse_process(dump_process(process), file="again.yaml") == process


# --- numbers are finite ----------------------------------------------------------------------------


MINIMAL = (VALID / "minimal.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        # YAML 1.1 reads 1e400 as text (no dot); the schema reads the text as infinity and refuses it
        ("clerk: {}", "clerk: {hourly_cost: 1e400}", "5:24: roles.clerk.hourly_cost: must be a finite number, got '1e400'"),
        ("clerk: {}", "clerk: {hourly_cost: 1.0e+400}", "5:24: roles.clerk.hourly_cost: '1.0e+400' is not a finite number"),
        ("clerk: {}", "clerk: {hourly_cost: .inf}", "5:24: roles.clerk.hourly_cost: '.inf' is not a finite number"),
        ("clerk: {}", "clerk: {hourly_cost: -.Inf}", "5:24: roles.clerk.hourly_cost: '-.Inf' is not a finite number"),
        ("clerk: {}", "clerk: {hourly_cost: .nan}", "5:24: roles.clerk.hourly_cost: '.nan' is not a finite number"),
        ("roles:", "attributes:\n  amount: {dist: normal, mean: .inf, sd: 1}\nroles:",
         "5:32: attributes.amount.mean: '.inf' is not a finite number"),
    ],
)
def test_non_finite_numbers_are_refused_with_their_line(old: str, new: str, where: str) -> None:
    with pytest.raises(ModelError) as caught:
        parse_process(MINIMAL.replace(old, new, 1), file="inf.yaml")
    assert str(caught.value) == (
        f"inf.yaml:{where} — write an ordinary number: no .inf, .nan or exponent beyond 1e308")


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_non_finite_numbers_are_refused_in_data_too(value: float) -> None:
    data = yaml.safe_load(MINIMAL)
    data["roles"]["clerk"]["hourly_cost"] = value
    data["attributes"] = {"amount": {"dist": "normal", "mean": value, "sd": 1}}
    with pytest.raises(ModelError) as caught:
        process_from_data(data, file="data")
    assert {(issue.path, issue.message.split(",")[0]) for issue in caught.value.issues} == {
        ("roles.clerk.hourly_cost", "must be a finite number"),
        ("attributes.amount.mean", "must be a finite number"),
    }


# --- positions are the editor's ----------------------------------------------------------------------


def test_nul_is_refused_at_its_position() -> None:
    for text in ("id: x\nname: ab\x00c\n", b"id: x\nname: \xe7\xa8\x9fb\x00c\n"):
        with pytest.raises(ModelError) as caught:
            parse_process(text, file="nul.yaml")
        assert [(i.line, i.column) for i in caught.value.issues] == [(2, 9 if isinstance(text, str) else 9)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_lines_are_counted_as_editors_count_them(newline: str) -> None:
    text = MINIMAL.replace("\n", newline).replace("next: done", "next: dnoe")
    with pytest.raises(ModelError) as caught:
        parse_process(text, file="lines.yaml")
    assert [(i.line, i.column, i.path) for i in caught.value.issues] == [(9, 64, "steps[0].next")]


@pytest.mark.parametrize(("special", "kind"), [("/dev/zero", "a device"), ("fifo", "a named pipe (FIFO)")])
def test_a_file_that_is_not_regular_is_refused_not_read(tmp_path: Path, special: str, kind: str) -> None:
    if special == "fifo":  # reading a FIFO would wait for a writer for ever
        special = str(tmp_path / "fifo.yaml")
        os.mkfifo(special)
    with pytest.raises(ModelError) as caught:
        load_process(special)
    assert caught.value.issues[0].message == f"is {kind}, not a process file"


def test_a_file_of_very_many_values_is_refused_quickly() -> None:
    import time

    values = ", ".join(["1m"] * 200_000)
    text = MINIMAL.replace("duration: 5m", f"duration: {{dist: empirical, values: [{values}]}}")
    start = time.process_time()
    with pytest.raises(ModelError) as caught:
        parse_process(text, file="many.yaml")
    assert time.process_time() - start < 3.0  # all 200,000 took 6 CPU-seconds
    assert caught.value.issues[0].message == "the file holds more than 30,000 values"


def test_an_empirical_distribution_holds_at_most_10000_values() -> None:
    values = ", ".join(["1m"] * 10_001)
    text = MINIMAL.replace("duration: 5m", f"duration: {{dist: empirical, values: [{values}]}}")
    with pytest.raises(ModelError) as caught:
        parse_process(text, file="many.yaml")
    assert [(i.path, i.message) for i in caught.value.issues] == [
        ("steps[0].duration.values", "has 10001 entries; at most 10,000 are accepted")]
