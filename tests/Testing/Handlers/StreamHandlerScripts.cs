namespace Coordinator.Testing.Handlers;

/// <summary>
/// A stream-mode test handler (python3 -c) that follows the framing of docs/runtime.md and misbehaves on request:
/// MISBEHAVE=crash exits 7 on batch ON_BATCH's first attempt after writing to stderr; MISBEHAVE=hang sleeps on it
/// (past any test timeout); MISBEHAVE=garble answers it with a header for another batch. Every result record gets
/// "pid" (the handler's process id), so a test sees which process served which batch.
/// </summary>
public static class StreamHandlerScripts
{
    public const string Misbehaving = """
        import json, os, sys, time
        stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
        mode, on = os.environ.get("MISBEHAVE", ""), int(os.environ.get("ON_BATCH", "-1"))
        print("started pid %d" % os.getpid(), file=sys.stderr, flush=True)
        while True:
            line = stdin.readline()
            if not line:
                break
            h = json.loads(line)
            data = stdin.read(h["bytes"])
            print("batch %d attempt %d" % (h["batch"], h["attempt"]), file=sys.stderr, flush=True)
            if h["batch"] == on and h["attempt"] == 1:
                if mode == "crash":
                    print("dying in batch %d" % h["batch"], file=sys.stderr, flush=True)
                    os._exit(7)
                if mode == "hang":
                    time.sleep(600)
                if mode == "garble":
                    h["batch"] += 1000
            out = b"".join(json.dumps(dict(json.loads(r), pid=os.getpid())).encode() + b"\n" for r in data.splitlines() if r.strip())
            stdout.write(json.dumps({"batch": h["batch"], "attempt": h["attempt"], "status": "ok", "bytes": len(out)}).encode() + b"\n")
            stdout.write(out)
            stdout.write(b"end %d\n" % h["batch"])
            stdout.flush()
        """;
}
