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

    def test_stream_mode_is_refused_until_its_framing_exists(self):
        done = self.run_stdio(self.script(self.BODY), "", COORDINATOR_HANDLER_MODE="stream")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("stream mode is not implemented yet", done.stderr)


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
