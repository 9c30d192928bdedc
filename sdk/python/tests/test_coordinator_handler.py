"""The helper run as the coordinator runs a handler: a real python3 process, its environment, stdin/stdout or files."""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

SDK = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORDCOUNT = os.path.join(SDK, "..", "..", "examples", "wordcount", "wc.py")


class HandlerProcess(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.rejects = os.path.join(self.dir.name, "rejects.jsonl")

    def env(self, **extra):
        # The coordinator's handler environment, reduced to what matters here (no PYTHONPATH: found through the script's path).
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "COORDINATOR_JOB": "t",
               "COORDINATOR_BATCH": "3", "COORDINATOR_ATTEMPT": "2", "COORDINATOR_REJECTS": self.rejects,
               "PYTHONPATH": SDK}
        env.update(extra)
        return env

    def script(self, body):
        path = os.path.join(self.dir.name, "handler.py")
        with open(path, "w") as f:
            f.write(textwrap.dedent(body))
        return path

    def run_stdio(self, path, stdin, **env):
        return subprocess.run([sys.executable, path], input=stdin, capture_output=True, text=True, env=self.env(**env), timeout=60)

    def read_rejects(self):
        if not os.path.exists(self.rejects):
            return []
        with open(self.rejects) as f:
            return [json.loads(line) for line in f if line.strip()]


class RecordHandlerTests(HandlerProcess):
    BODY = """
        from coordinator_handler import handler, Reject, log

        @handler
        def process(record):
            n = record["n"]
            if n == 0:
                return None                      # dropped
            if n == 1:
                raise Reject("one is not allowed")
            if n == 2:
                return [{"n": 2, "copy": 1}, {"n": 2, "copy": 2}]
            if n == 3:
                return {"n": 3, "inverse": 1 / (n - 3)}  # ZeroDivisionError: rejected with its type
            log.info("kept %d", n)
            return {"n": n, "double": n * 2}

        if __name__ == "__main__":
            process.run()
        """

    def test_stdio_drops_explodes_rejects_and_logs_to_stderr(self):
        lines = "".join(json.dumps({"n": n}) + "\n" for n in range(5)) + "\nnot json\n"
        done = self.run_stdio(self.script(self.BODY), lines)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, '{"n":2,"copy":1}\n{"n":2,"copy":2}\n{"n":4,"double":8}\n')
        self.assertIn("INFO [batch 3 attempt 2] kept 4", done.stderr)
        self.assertEqual(self.read_rejects(), [
            {"record": {"n": 1}, "reason": "one is not allowed"},
            {"record": {"n": 3}, "reason": "ZeroDivisionError: division by zero"},
            {"record": "not json", "reason": "input line 7 is not JSON: Expecting value: line 1 column 1 (char 0)"},
        ])

    def test_a_filter_that_keeps_nothing_exits_zero_with_no_output(self):
        done = self.run_stdio(self.script(self.BODY), '{"n": 0}\n{"n": 0}\n')
        self.assertEqual((done.returncode, done.stdout), (0, ""))

    def test_file_mode_reads_and_writes_csv_natively(self):
        source = os.path.join(self.dir.name, "input.csv")
        target = os.path.join(self.dir.name, "output.csv")
        with open(source, "w") as f:
            f.write('sku,price\n"A,1",3.50\nB2,\n')
        body = """
            from coordinator_handler import handler, Reject

            @handler
            def tax(row):
                if not row["price"]:
                    raise Reject("no price")
                row["gross"] = round(float(row["price"]) * 1.2, 2)
                return row

            if __name__ == "__main__":
                tax.run()
            """
        done = subprocess.run([sys.executable, self.script(body)], capture_output=True, text=True, timeout=60,
                              env=self.env(COORDINATOR_INPUT=source, COORDINATOR_OUTPUT=target))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, "")
        with open(target) as f:
            self.assertEqual(f.read(), 'sku,price,gross\n"A,1",3.50,4.2\n')
        self.assertEqual(self.read_rejects(), [{"record": {"sku": "B2", "price": ""}, "reason": "no price"}])

    def test_file_mode_jsonl(self):
        source = os.path.join(self.dir.name, "input.jsonl")
        target = os.path.join(self.dir.name, "output.jsonl")
        with open(source, "w") as f:
            f.write('{"n": 4}\n{"n": 0}\n')
        done = subprocess.run([sys.executable, self.script(self.BODY)], capture_output=True, text=True, timeout=60,
                              env=self.env(COORDINATOR_INPUT=source, COORDINATOR_OUTPUT=target))
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(target) as f:
            self.assertEqual(f.read(), '{"n":4,"double":8}\n')

    def test_file_mode_parquet_is_refused_with_a_clear_message(self):
        done = subprocess.run([sys.executable, self.script(self.BODY)], capture_output=True, text=True, timeout=60,
                              env=self.env(COORDINATOR_INPUT=os.path.join(self.dir.name, "input.parquet"),
                                           COORDINATOR_OUTPUT=os.path.join(self.dir.name, "output.parquet")))
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("is Parquet, which this standard-library module cannot read or write in file mode", done.stderr)

    def test_the_function_stays_callable_for_unit_tests(self):
        sys.path.insert(0, SDK)
        from coordinator_handler import handler

        @handler
        def double(record):
            return {"x": record["x"] * 2}

        self.assertEqual(double({"x": 2}), {"x": 4})


class StreamModeTests(HandlerProcess):
    """The helper in stream mode: one process, many batches, the framing of docs/runtime.md ("Stream mode")."""

    RECORDS = """
        import os
        from coordinator_handler import handler, Reject, log

        @handler
        def process(record):
            n = record["n"]
            if n == 1:
                raise Reject("one is not allowed")
            if n == 9:
                os._exit(9)                      # an unexpected crash in the middle of a batch
            print("a print goes to stderr", n)   # stdout carries the framing
            log.info("kept %d", n)
            return None if n == 0 else {"n": n, "pid": os.getpid()}

        if __name__ == "__main__":
            process.run()
        """

    def request(self, batch, attempt, data, rejects=True):
        header = {"batch": batch, "attempt": attempt, "records": data.count(b"\n"), "bytes": len(data)}
        if rejects:
            header["rejects"] = os.path.join(self.dir.name, f"rejects-{batch}-{attempt}.jsonl")
        return json.dumps(header).encode() + b"\n" + data

    def run_stream(self, path, stdin, **env):
        env.setdefault("COORDINATOR_HANDLER_MODE", "stream")
        environment = self.env(**env)
        for name in ("COORDINATOR_BATCH", "COORDINATOR_ATTEMPT", "COORDINATOR_REJECTS"):  # not set in stream mode
            del environment[name]
        return subprocess.run([sys.executable, path], input=stdin, capture_output=True, env=environment, timeout=60)

    def responses(self, stdout):
        """Parses the handler's stdout strictly as the worker does: header, exactly `bytes` bytes, end line."""
        answers, rest = [], stdout
        while rest:
            line, rest = rest.split(b"\n", 1)
            header = json.loads(line)
            body, rest = rest[:header.get("bytes", 0)], rest[header.get("bytes", 0):]
            end, rest = rest.split(b"\n", 1)
            self.assertEqual(end, b"end %d" % header["batch"])
            answers.append((header, body.decode()))
        return answers

    def rejects_of(self, batch, attempt):
        path = os.path.join(self.dir.name, f"rejects-{batch}-{attempt}.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f]

    def test_one_process_serves_many_batches_each_with_its_own_rejects_and_log_lines(self):
        stdin = (self.request(3, 1, b'{"n": 2}\n{"n": 1}\n{"n": 0}\n') + self.request(4, 2, b'{"n": 5}\n')
                 + self.request(5, 1, b''))
        done = self.run_stream(self.script(self.RECORDS), stdin)
        self.assertEqual(done.returncode, 0, done.stderr)
        answers = self.responses(done.stdout)
        self.assertEqual([h for h, _ in answers], [
            {"batch": 3, "attempt": 1, "status": "ok", "bytes": len(answers[0][1])},
            {"batch": 4, "attempt": 2, "status": "ok", "bytes": len(answers[1][1])},
            {"batch": 5, "attempt": 1, "status": "ok", "bytes": 0},
        ])
        pids = {json.loads(line)["pid"] for _, body in answers for line in body.splitlines()}
        self.assertEqual(len(pids), 1)
        self.assertEqual([json.loads(line)["n"] for line in answers[0][1].splitlines()], [2])
        self.assertEqual(self.rejects_of(3, 1), [{"record": {"n": 1}, "reason": "one is not allowed"}])
        self.assertEqual(self.rejects_of(4, 2), [])
        stderr = done.stderr.decode()
        self.assertIn("INFO [batch 3 attempt 1] kept 2", stderr)
        self.assertIn("INFO [batch 4 attempt 2] kept 5", stderr)
        self.assertIn("a print goes to stderr 5", stderr)

    def test_csv_in_csv_out_with_the_jobs_delimiter(self):
        body = """
            from coordinator_handler import handler

            @handler
            def tax(row):
                row["gross"] = round(float(row["price"]) * 1.2, 2)
                return row

            if __name__ == "__main__":
                tax.run()
            """
        stdin = self.request(0, 1, b'sku;price\nA1;3.50\n') + self.request(1, 1, b'sku;price\nB2;10\n')
        done = self.run_stream(self.script(body), stdin, COORDINATOR_INPUT_FORMAT="csv", COORDINATOR_OUTPUT_FORMAT="csv",
                               COORDINATOR_CSV_DELIMITER=";", COORDINATOR_CSV_HEADER="true")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual([b for _, b in self.responses(done.stdout)],
                         ["sku,price,gross\nA1,3.50,4.2\n", "sku,price,gross\nB2,10,12.0\n"])

    def test_csv_without_a_header_has_keys_c1_c2(self):
        body = """
            from coordinator_handler import handler

            @handler
            def keys(row):
                return {"keys": sorted(row)}

            if __name__ == "__main__":
                keys.run()
            """
        done = self.run_stream(self.script(body), self.request(0, 1, b'a,b\n'), COORDINATOR_INPUT_FORMAT="csv",
                               COORDINATOR_CSV_HEADER="false")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.responses(done.stdout)[0][1], '{"keys":["c1","c2"]}\n')

    def test_an_exception_in_the_batch_form_fails_that_batch_only(self):
        body = """
            from coordinator_handler import batch_handler

            @batch_handler
            def total(records):
                records = list(records)
                if any(r["v"] < 0 for r in records):
                    raise ValueError("negative value in the batch")
                yield {"total": sum(r["v"] for r in records)}

            if __name__ == "__main__":
                total.run()
            """
        stdin = self.request(0, 1, b'{"v": 1}\n{"v": -1}\n') + self.request(1, 1, b'{"v": 2}\n{"v": 3}\n')
        done = self.run_stream(self.script(body), stdin)
        self.assertEqual(done.returncode, 0, done.stderr)
        answers = self.responses(done.stdout)
        self.assertEqual(answers[0], ({"batch": 0, "attempt": 1, "status": "failed",
                                       "message": "ValueError: negative value in the batch", "bytes": 0}, ""))
        self.assertEqual(answers[1][0]["status"], "ok")
        self.assertEqual(answers[1][1], '{"total":5}\n')
        self.assertIn("batch 0 attempt 1 failed", done.stderr.decode())
        self.assertIn("Traceback", done.stderr.decode())

    def test_a_result_that_cannot_be_written_fails_that_batch(self):
        body = """
            from coordinator_handler import handler

            @handler
            def bad(record):
                return {"n": record["n"], "set": {1, 2}}   # a set is not JSON

            if __name__ == "__main__":
                bad.run()
            """
        done = self.run_stream(self.script(body), self.request(7, 3, b'{"n": 1}\n'))
        self.assertEqual(done.returncode, 0, done.stderr)
        header, _ = self.responses(done.stdout)[0]
        self.assertEqual((header["status"], header["bytes"]), ("failed", 0))
        self.assertIn("TypeError", header["message"])

    def test_a_crash_mid_batch_ends_the_process_with_its_code_after_answering_the_batches_before(self):
        stdin = self.request(0, 1, b'{"n": 2}\n') + self.request(1, 1, b'{"n": 9}\n') + self.request(2, 1, b'{"n": 3}\n')
        done = self.run_stream(self.script(self.RECORDS), stdin)
        self.assertEqual(done.returncode, 9)
        self.assertEqual([h["batch"] for h, _ in self.responses(done.stdout)], [0])

    def test_parquet_batches_are_answered_failed_with_a_clear_message(self):
        done = self.run_stream(self.script(self.RECORDS), self.request(0, 1, b'PAR1....PAR1'), COORDINATOR_INPUT_FORMAT="parquet")
        self.assertEqual(done.returncode, 0, done.stderr)
        header, _ = self.responses(done.stdout)[0]
        self.assertEqual(header["status"], "failed")
        self.assertIn("input format is parquet, which this standard-library module cannot read or write in stream mode",
                      header["message"])

    def test_without_a_rejects_file_in_the_header_a_reject_goes_to_stderr(self):
        done = self.run_stream(self.script(self.RECORDS), self.request(0, 1, b'{"n": 1}\n', rejects=False))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn('rejected (no $COORDINATOR_REJECTS): {"record":{"n":1},"reason":"one is not allowed"}', done.stderr.decode())

    def test_the_stream_example_uses_the_helper_and_loads_its_model_once(self):
        example = os.path.join(SDK, "..", "..", "examples", "stream", "handler.py")
        env = {"COORDINATOR_HANDLER_MODE": "stream"}
        stdin = self.request(0, 1, b'{"a": "x", "b": [1, "y"]}\n[1]\n') + self.request(1, 1, b'{"a": "z"}\n')
        environment = self.env(**env)
        del environment["PYTHONPATH"]  # the example finds the helper from its checkout
        done = subprocess.run([sys.executable, example], input=stdin, capture_output=True, env=environment, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual([b for _, b in self.responses(done.stdout)], ['{"a":"X","b":[1,"Y"]}\n', '{"a":"Z"}\n'])
        self.assertEqual(done.stderr.decode().count("model loaded"), 1)
        self.assertEqual([r["reason"] for r in self.rejects_of(0, 1)], ["expected a JSON object, got list"])


class BatchHandlerTests(HandlerProcess):
    def test_batch_form_gets_an_iterator_yields_results_and_may_reject(self):
        body = """
            from coordinator_handler import batch_handler, reject

            @batch_handler
            def total(records):
                total = 0
                for r in records:
                    if r["v"] < 0:
                        reject(r, "negative")
                        continue
                    total += r["v"]
                    yield r
                yield {"total": total}

            if __name__ == "__main__":
                total.run()
            """
        done = self.run_stdio(self.script(body), '{"v": 2}\n{"v": -1}\n{"v": 5}\n')
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, '{"v":2}\n{"v":5}\n{"total":7}\n')
        self.assertEqual(self.read_rejects(), [{"record": {"v": -1}, "reason": "negative"}])

    def test_an_exception_in_the_batch_form_fails_the_batch_with_exit_1_and_a_traceback(self):
        body = """
            from coordinator_handler import batch_handler

            @batch_handler
            def broken(records):
                raise RuntimeError("model file missing")

            if __name__ == "__main__":
                broken.run()
            """
        done = self.run_stdio(self.script(body), '{"v": 1}\n')
        self.assertEqual(done.returncode, 1)
        self.assertIn("RuntimeError: model file missing", done.stderr)


class WordcountExampleTests(HandlerProcess):
    def test_the_wordcount_example_uses_the_helper_and_rejects_a_malformed_line(self):
        stdin = '{"id": 1, "text": "The the fox"}\n{"id": 2, "text": "x"\n'
        env = self.env(LOWERCASE="1")
        del env["PYTHONPATH"]  # the example finds the helper from its checkout
        done = subprocess.run([sys.executable, WORDCOUNT], input=stdin, capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, '{"id":1,"words":3,"counts":{"the":2,"fox":1}}\n')
        self.assertEqual([r["reason"][:27] for r in self.read_rejects()], ["input line 2 is not JSON: E"])


if __name__ == "__main__":
    unittest.main()
