"""Calibration: fit a process file's parameters to an event log, check conformance, measure the fit.

    read_log(path, mapping) -> Log          bpr CSV / XES, or any CSV with a column mapping
    calibrate(process, log) -> Calibration  replay through the routing core, then fit every parameter
    write_calibrated(calibration)           the file's text with the fitted values, comments kept
    accuracy(calibration, process)          re-simulate the log's period: distances to the log
    measure_log(process, log) -> Actual     lead time, deadline share, staff-hours of a log, with intervals
    check_prediction(actual, result)        a simulation's prediction against them: within, better, worse
"""

from bpr.calibrate.calibrate import Calibration, calibrate
from bpr.calibrate.check import Actual, Check, check_prediction, measure_log
from bpr.calibrate.log import BPR_MAPPING, Log, LogError, log_from_records, read_log
from bpr.calibrate.parameters import Parameter

__all__ = ["BPR_MAPPING", "Actual", "Calibration", "Check", "Log", "LogError", "Parameter", "calibrate",
           "check_prediction", "log_from_records", "measure_log", "read_log"]
