"""Write a Coordinator handler as a Python function (docs/handlers.md).

Standard library only. Install with ``pip install ./sdk/python`` (or put this directory on PYTHONPATH).

    from coordinator_handler import handler, Reject, log

    @handler
    def clean(record):
        if "sku" not in record:
            raise Reject("no sku")          # written to $COORDINATOR_REJECTS, the batch still succeeds
        if record["price"] == "0":
            return None                     # dropped (a filter): zero output records is a success
        record["price"] = float(record["price"])
        return record                       # one record out; a list gives several

    if __name__ == "__main__":
        clean.run()

The same script works in every mode the job can choose:

* ``stdio`` (the default): one JSON object per line on stdin, whatever the job's input format; every result is one
  JSON line on stdout.
* ``file``: ``$COORDINATOR_INPUT`` is read and ``$COORDINATOR_OUTPUT`` written in the batch's native format; this
  module reads and writes JSONL and CSV (Parquet needs a library such as pyarrow: use stdio mode for it, where the
  coordinator converts Parquet rows to JSON objects).
* ``stream``: one process serves many batches (docs/runtime.md, "Stream mode"): the helper reads each batch's header
  and bytes from stdin (JSONL or CSV, as ``$COORDINATOR_INPUT_FORMAT`` says), runs the function over its records and
  answers with the result (JSONL or CSV, ``$COORDINATOR_OUTPUT_FORMAT``) framed as the worker expects. Load a model
  once, at import or in the function's first call: it stays loaded for the next batches. ``print`` goes to stderr
  here, since stdout carries the framing.

``@batch_handler`` is the batch-level form: the function gets an iterator over the batch's records and yields (or
returns an iterable of) results; it may call ``reject(record, reason)``. Anything the handler prints goes to the
batch's log only through ``log`` (stderr); stdout is the output in stdio mode.

Any exception raised for one record rejects that record with the exception as its reason (``Reject`` says so
explicitly). An exception in a batch-level function, or a record that cannot be written, ends the handler with exit
code 1, which the job's retry policy sees; in stream mode it fails that batch only (the answer's status is
"failed", with the exception as its message) and the process goes on with the next batch.
"""

import csv
import io
import json
import logging
import os
import shutil
import sys
import tempfile
import traceback

__all__ = ["handler", "batch_handler", "Reject", "reject", "log", "Handler"]
__version__ = "0.1.0"

log = logging.getLogger("coordinator")


class Reject(Exception):
    """Raise from a record handler to reject the record (it goes to $COORDINATOR_REJECTS with this reason)."""


_rejects = None  # the open rejects file of this run (of this batch, in stream mode)
# The batch being processed: from the environment in stdio and file mode, from each header in stream mode.
_context = {"batch": os.environ.get("COORDINATOR_BATCH", "-"), "attempt": os.environ.get("COORDINATOR_ATTEMPT", "-"),
            "rejects": os.environ.get("COORDINATOR_REJECTS")}


def reject(record, reason):
    """Writes one rejected record, {"record": ..., "reason": "..."}, to $COORDINATOR_REJECTS (in stream mode, to the
    batch's rejects file named in its header)."""
    global _rejects
    line = json.dumps({"record": record, "reason": str(reason) or "rejected"}, separators=(",", ":")) + "\n"
    if _rejects is None:
        path = _context["rejects"]
        if not path:
            # Run by hand, outside the coordinator: say so on stderr rather than losing the record.
            sys.stderr.write("coordinator_handler: rejected (no $COORDINATOR_REJECTS): " + line)
            return
        _rejects = open(path, "a", encoding="utf-8")
    _rejects.write(line)


def _close_rejects():
    global _rejects
    if _rejects is not None:
        _rejects.close()
        _rejects = None


class _BatchFilter(logging.Filter):
    """Puts the batch being processed on every log line (it changes per batch in stream mode)."""

    def filter(self, record):
        record.batch = _context["batch"]
        record.attempt = _context["attempt"]
        return True


def _setup_logging():
    if log.handlers:
        return
    stream = logging.StreamHandler(sys.stderr)
    stream.addFilter(_BatchFilter())
    stream.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [batch %(batch)s attempt %(attempt)s] %(message)s"))
    log.addHandler(stream)
    log.setLevel(os.environ.get("COORDINATOR_LOG_LEVEL", "INFO").upper())
    log.propagate = False


def _mode():
    if os.environ.get("COORDINATOR_INPUT") and os.environ.get("COORDINATOR_OUTPUT"):
        return "file"
    return "stdio"


def _format_of(path):
    lower = path.lower()
    for ext, fmt in ((".jsonl", "jsonl"), (".json", "jsonl"), (".csv", "csv"), (".parquet", "parquet")):
        if lower.endswith(ext):
            return fmt
    return "jsonl"


class _JsonlReader:
    """Records of a JSONL stream; a line that is not JSON is rejected (and skipped), blank lines are skipped."""

    def __init__(self, stream):
        self._stream = stream

    def __iter__(self):
        for number, line in enumerate(self._stream, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except ValueError as error:
                reject(line.rstrip("\n"), f"input line {number} is not JSON: {error}")


class _JsonlWriter:
    def __init__(self, stream):
        self._stream = stream

    def write(self, record):
        self._stream.write(json.dumps(record, separators=(",", ":")) + "\n")

    def close(self):
        self._stream.flush()


class _CsvWriter:
    """CSV output: the header is the first record's keys; a later record with another key is an error."""

    def __init__(self, stream):
        self._stream = stream
        self._writer = None

    def write(self, record):
        if not isinstance(record, dict):
            raise TypeError(f"CSV output needs records that are objects, got {type(record).__name__}")
        if self._writer is None:
            self._writer = csv.DictWriter(self._stream, fieldnames=list(record), lineterminator="\n")
            self._writer.writeheader()
        self._writer.writerow({k: ("" if v is None else v) for k, v in record.items()})

    def close(self):
        self._stream.flush()


def _open(mode):
    """(records, writer, closers) for this run's mode."""
    if mode == "stdio":
        stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", newline="\n")
        return _JsonlReader(stdin), _JsonlWriter(sys.stdout), []
    source, target = os.environ["COORDINATOR_INPUT"], os.environ["COORDINATOR_OUTPUT"]
    for path in (source, target):
        if _format_of(path) == "parquet":
            raise SystemExit(
                f"coordinator_handler: {path} is Parquet, which this standard-library module cannot read or write "
                "in file mode; use handler.mode stdio (the coordinator converts Parquet rows to JSON objects)")
    src = open(source, encoding="utf-8", newline="")
    dst = open(target, "w", encoding="utf-8", newline="")
    records = csv.DictReader(src) if _format_of(source) == "csv" else _JsonlReader(src)
    writer = _CsvWriter(dst) if _format_of(target) == "csv" else _JsonlWriter(dst)
    return records, writer, [src, dst]


def _emit(writer, result):
    if result is None:
        return 0
    if isinstance(result, (list, tuple)) or (hasattr(result, "__next__") and not isinstance(result, dict)):
        count = 0
        for item in result:
            count += _emit(writer, item)
        return count
    writer.write(result)
    return 1


class Handler:
    """A decorated handler: call it like the function (for tests), or ``.run()`` it as the batch's process."""

    def __init__(self, function, per_record):
        self.function = function
        self.per_record = per_record
        self.__doc__ = function.__doc__
        self.__name__ = getattr(function, "__name__", "handler")

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def run(self, mode=None):
        """Runs the handler over this batch and exits: 0 when it finished, 1 when it failed."""
        _setup_logging()
        mode = mode or os.environ.get("COORDINATOR_HANDLER_MODE") or _mode()
        if mode == "stream":
            sys.exit(_run_stream(self))
        try:
            code = self._run_batch(mode)
        except SystemExit:
            raise
        except BaseException:  # the batch failed: the traceback goes to stderr, the retry policy sees exit 1
            traceback.print_exc(file=sys.stderr)
            code = 1
        finally:
            if _rejects is not None:
                _rejects.flush()
        sys.exit(code)

    def _run_batch(self, mode):
        records, writer, closers = _open(mode)
        try:
            self._process(records, writer)
        finally:
            for closer in closers:
                closer.close()
        return 0

    def _process(self, records, writer):
        """Runs the function over one batch's records, writing the results; raises when the batch fails."""
        written = seen = rejected = 0
        if self.per_record:
            for record in records:
                seen += 1
                try:
                    result = self.function(record)
                except Exception as error:  # one record's failure rejects that record, not the batch
                    reject(record, str(error) if isinstance(error, Reject) else f"{type(error).__name__}: {error}")
                    rejected += 1
                    continue
                written += _emit(writer, result)
        else:
            written += _emit(writer, iter(self.function(iter(records)) or ()))
        writer.close()
        log.debug("%d records in, %d out, %d rejected", seen, written, rejected)


class _StreamFormats:
    """The job's formats as the worker gives them to a stream handler's session (docs/runtime.md, "Stream mode")."""

    def __init__(self, env):
        self.input = env.get("COORDINATOR_INPUT_FORMAT", "jsonl")
        self.output = env.get("COORDINATOR_OUTPUT_FORMAT", "jsonl")
        self.delimiter = env.get("COORDINATOR_CSV_DELIMITER", ",")
        self.header = env.get("COORDINATOR_CSV_HEADER", "true") != "false"

    def problem(self):
        for side, fmt in (("input", self.input), ("output", self.output)):
            if fmt not in ("jsonl", "csv"):
                return (f"the job's {side} format is {fmt}, which this standard-library module cannot read or write in "
                        "stream mode; use handler.mode stdio (the coordinator converts Parquet rows to JSON objects)")
        return None

    def records(self, text):
        if self.input != "csv":
            return _JsonlReader(text)
        if self.header:
            return csv.DictReader(text, delimiter=self.delimiter)
        return ({f"c{i}": v for i, v in enumerate(row, start=1)} for row in csv.reader(text, delimiter=self.delimiter))

    def writer(self, text):
        return _CsvWriter(text) if self.output == "csv" else _JsonlWriter(text)


def _read_exactly(stream, count, sink):
    left = count
    while left > 0:
        chunk = stream.read(min(left, 1 << 16))
        if not chunk:
            raise EOFError(f"coordinator_handler: stdin ended {left} bytes before the end of batch {_context['batch']}")
        sink.write(chunk)
        left -= len(chunk)


def _answer(out, header, result):
    """One response: the header line, exactly header["bytes"] bytes of result, the end line."""
    out.write(json.dumps(header, separators=(",", ":")).encode("utf-8") + b"\n")
    if result is not None:
        shutil.copyfileobj(result, out)
    out.write(b"end %d\n" % header["batch"])
    out.flush()


def _run_stream(handler_):
    """Stream mode: serves batch after batch on stdin/stdout until stdin ends (exit 0). A batch whose function raises
    (batch form) or whose result cannot be written is answered "failed" and the next batch is served; a record whose
    function raises is rejected, as in the other modes."""
    formats = _StreamFormats(os.environ)
    stdin, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stdout carries the framing: a print() in the handler goes to the batch's log
    while True:
        line = stdin.readline()
        if not line:
            return 0  # no batch left
        request = json.loads(line)
        batch, attempt = request["batch"], request["attempt"]
        _context.update(batch=batch, attempt=attempt, rejects=request.get("rejects"))
        # The batch is held in memory up to 16 MiB, else spooled to $TMPDIR; the result always is (its length goes first).
        with (io.BytesIO() if request["bytes"] <= 16 << 20 else tempfile.TemporaryFile()) as data, \
                tempfile.TemporaryFile() as result:
            _read_exactly(stdin, request["bytes"], data)
            data.seek(0)
            failure = formats.problem()
            if failure is None:
                text_in = io.TextIOWrapper(data, encoding="utf-8", newline="" if formats.input == "csv" else "\n")
                text_out = io.TextIOWrapper(result, encoding="utf-8", newline="")
                try:
                    handler_._process(formats.records(text_in), formats.writer(text_out))
                    text_out.flush()
                except Exception as error:  # this batch failed; the process serves the next one
                    sys.stderr.write(f"coordinator_handler: batch {batch} attempt {attempt} failed:\n")
                    traceback.print_exc(file=sys.stderr)
                    failure = f"{type(error).__name__}: {error}"
                finally:
                    text_in.detach()
                    text_out.detach()
                    _close_rejects()
            else:
                sys.stderr.write(f"coordinator_handler: {failure}\n")
            sys.stderr.flush()
            if failure is None:
                size = result.tell()
                result.seek(0)
                _answer(out, {"batch": batch, "attempt": attempt, "status": "ok", "bytes": size}, result)
            else:
                _answer(out, {"batch": batch, "attempt": attempt, "status": "failed", "message": failure, "bytes": 0}, None)


def handler(function):
    """Decorates a function of one record: return a record, a list of records, or None to drop it; raise to reject."""
    return Handler(function, per_record=True)


def batch_handler(function):
    """Decorates a function of the batch's record iterator that returns (or yields) the results."""
    return Handler(function, per_record=False)
