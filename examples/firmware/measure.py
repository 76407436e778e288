"""What `.ci/firmware` checks and measures of one firmware build.

Usage: python3 measure.py NAME ELF MACHINE DEVICE_OUTPUT HOST_OUTPUT CHECK

- The lines the firmware printed in QEMU (DEVICE_OUTPUT) equal, character for character, those
  `examples/firmware_host.rs` printed (HOST_OUTPUT): the same numbers to the last bit, since
  every float is printed in its shortest form that reads back as the same value.
- Flash and static RAM (the ELF's sections) and the stack's high-water mark (the firmware's
  last line).
- Instructions per inference: QEMU runs the firmware once more with one instruction per
  translation block and every block logged (`-d exec,nochain`) into a pipe; the instructions
  from the first of `nn_begin` to the first of `nn_end` are counted twice, around nothing and
  around the inference (src/measure.rs), and the difference is printed.
- Software floating point: the symbols of compiler-builtins' soft-float routines (`__aeabi_f*`,
  `__aeabi_d*`, `__addsf3`, `__adddf3` and kin) that the firmware links, and their bytes. CHECK
  `no-float` fails the build if it links any, `no-f64` if it links any for f64, `-` checks
  nothing.

Prints one line of figures; exits 1 if a check failed.
"""
import os
import re
import subprocess
import sys
import tempfile

name, elf, machine, device_output, host_output, check = sys.argv[1:7]
failed = []

# The outputs, line for line.
device = open(device_output).read().splitlines()
host = open(host_output).read().splitlines()
stack = device.pop() if device and device[-1].startswith("stack ") else "stack unknown"
if device != host or len(host) < 11:
    differ = [(d, h) for d, h in zip(device, host) if d != h][:1]
    failed.append(f"{len(device)} lines, the host {len(host)}, first difference {differ}")

# Flash and static RAM.
sections = subprocess.run(["readelf", "-SW", elf], capture_output=True, text=True).stdout
size = {m[1]: int(m[2], 16) for m in re.finditer(r"\]\s+(\.\w+)\s+\w+\s+\w+\s+\w+\s+(\w+)", sections)}
flash = sum(size.get(s, 0) for s in (".vector_table", ".text", ".rodata", ".data"))
ram = size.get(".data", 0) + size.get(".bss", 0)

# Soft-float routines: their names, for f32 and for f64 (a conversion between them counts as f64).
symbols = subprocess.run(["nm", "-S", elf], capture_output=True, text=True, check=True).stdout
f64 = re.compile(r"__aeabi_(d[a-z0-9]+|[a-z0-9]+2d|f2d)|__[a-z]+df[a-z0-9]*")
f32 = re.compile(r"__aeabi_(f[a-z0-9]+|[a-z0-9]+2f)|__[a-z]+sf[a-z0-9]*")
soft = {"f32": [0, 0], "f64": [0, 0]}
for m in re.finditer(r"(?m)^\w+ (\w+) [Tt] (\S+)$", symbols):
    kind = "f64" if f64.fullmatch(m[2]) else "f32" if f32.fullmatch(m[2]) else None
    if kind:
        soft[kind][0] += 1
        soft[kind][1] += int(m[1], 16)
if check == "no-float" and soft["f32"][0] + soft["f64"][0]:
    failed.append("links software floating point")
if check in ("no-float", "no-f64") and soft["f64"][0]:
    failed.append("links f64 software floating point")

# Instructions per inference.
address = {m[2]: int(m[1], 16) & ~1 for m in re.finditer(r"(?m)^(\w+) \w+ T (nn_begin|nn_end)$", symbols)}
version = subprocess.run(["qemu-system-arm", "--version"], capture_output=True, text=True).stdout
# One instruction per block: `-singlestep` until QEMU 8.1 named it `one-insn-per-tb`.
major, minor = map(int, re.search(r"version (\d+)\.(\d+)", version).groups())
one = ["-accel", "tcg,one-insn-per-tb=on"] if (major, minor) >= (8, 1) else ["-singlestep"]
counts, start, n = [], None, 0
with tempfile.TemporaryDirectory() as folder:
    pipe = os.path.join(folder, "exec")
    os.mkfifo(pipe)
    # `timeout`: a firmware that never reaches the markers (a panic halts in a loop) ends.
    qemu = subprocess.Popen(
        ["timeout", "300", "qemu-system-arm", "-machine", machine, "-nographic", *one,
         "-semihosting-config", "enable=on,target=native", "-d", "exec,nochain", "-D", pipe,
         "-kernel", elf],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(pipe) as log:
        for line in log:
            m = re.match(r"Trace \d+: \w+ \[\w+/(\w+)/", line)
            if not m:
                continue
            n += 1
            pc = int(m[1], 16)
            if pc == address.get("nn_begin"):
                start = n
            elif pc == address.get("nn_end") and start is not None:
                counts.append(n - start)
                start = None
                if len(counts) == 2:
                    break
    qemu.terminate()  # `timeout` passes it on to QEMU
    qemu.wait()
if len(counts) == 2:
    instructions = f"{counts[1] - counts[0]} instructions per inference"
else:
    instructions = "instructions not counted"
    failed.append(f"the markers ran {len(counts)} times, not 2")

def soft_float(kind):
    count, size = soft[kind]
    return f"{count} {kind} routines ({size} bytes)" if count else f"no {kind}"

print(f"firmware {name}: flash {flash} bytes, static RAM {ram} bytes, {stack}, {instructions}; "
      f"software floating point: {soft_float('f32')}, {soft_float('f64')}; "
      f"{len(device)} lines as the host's")
for failure in failed:
    print(f"firmware {name}: FAILED: {failure}")
sys.exit(1 if failed else 0)
