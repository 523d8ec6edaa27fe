# Where an eager call's instructions go (issue 17, item 2): self instructions per call by function (V8's JIT code,
# the core's wasm functions, native code) and by group, over calls K1+1..K2 of test/bench/eager-overhead.mjs.
# Two runs (K1 and K2 calls after the warm-up), each under callgrind with node's jitdump:
#   mkdir -p /tmp/ir/k4000 && cd /tmp/ir/k4000 && valgrind --tool=callgrind --dump-instr=yes --compress-pos=no \
#     --compress-strings=no --callgrind-out-file=cg.out node --perf-prof --single-threaded --predictable \
#     REPO/test/bench/eager-overhead.mjs --calls=4000 --variant=tf-style --n=1 && mv jit-*.dump jit.dump && \
#     cp REPO/packages/core/build/core.wat .      (the same in /tmp/ir/k12000 with --calls=12000)
#   python3 test/bench/eager-instructions.py /tmp/ir/k4000 /tmp/ir/k12000 [top-N]
# The jitdump (node --perf-prof) names JS functions and wasm functions (wasm-function[i], named from the .wat: imports
# first, then functions); callgrind's per-instruction self costs are summed over each code object's range. Calls
# from one wasm function to another go through V8's jump table, so callgrind's call edges are not used here.
import sys, re, struct, bisect, collections

def jitdump(path):
    d = open(path, 'rb').read()
    off, recs = struct.unpack_from('<III', d, 0)[2], []
    while off + 16 <= len(d):
        rid, size = struct.unpack_from('<II', d, off)
        if size == 0: break
        if rid == 0:  # JIT_CODE_LOAD: pid, tid, vma, code_addr, code_size, code_index, name
            addr, n = struct.unpack_from('<QQ', d, off + 32)
            recs.append((addr, n, d[off + 56:d.index(b'\0', off + 56)].decode('utf8', 'replace')))
        off += size
    return sorted(recs)

def wat_names(path):
    return [m.group(1) for m in re.finditer(r'^ \((?:import "[^"]*" "[^"]*" \()?func \$(\S+)', open(path).read(), re.M)]

def by_function(run):
    recs, wasm = jitdump(f'{run}/jit.dump'), wat_names(f'{run}/core.wat')
    starts, out, ob, fn, skip = [r[0] for r in recs], collections.Counter(), None, None, False
    for line in open(f'{run}/cg.out'):
        if skip: skip = False; continue
        if line.startswith('ob='): ob = line[3:].strip(); continue
        if line.startswith('fn='): fn = line[3:].strip(); continue
        if line.startswith('calls='): skip = True; continue  # the next line is the call's inclusive cost
        if not line.startswith('0x'): continue
        p = line.split()
        if len(p) < 3: continue
        a, c = int(p[0], 16), int(p[2])
        if ob in (None, '???') or fn.startswith('0x'):
            i = bisect.bisect_right(starts, a) - 1
            if i >= 0 and a < recs[i][0] + recs[i][1]:
                name = re.sub(r'file://\S*?/(packages|test)/', r'\1/', re.sub(r'^(JS|LazyCompile):[*~^+]*', 'JS:', recs[i][2]))
                m = re.search(r'wasm-function\[(\d+)\]', name)
                out['wasm ' + wasm[int(m.group(1))] if m and int(m.group(1)) < len(wasm) else name] += c
            else: out['(unmapped JIT code)'] += c
        else: out['native ' + fn] += c
    return out

GROUPS = [
    ('core: checked element reads/writes, Array push', r'^wasm ~lib/(staticarray/StaticArray<[^>]*>#__[gs]et|array/Array<[^>]*>#(push|pop|__get)|array/ensureCapacity)'),
    ('core: runtime allocation and collection', r'^wasm ~lib/rt/|memory_fill_wrapper|__memset|^wasm ~lib/staticarray/StaticArray<[^>]*>#constructor'),
    ('core: tensor records, handle table, scopes', r'^wasm assembly/(tensor/|memory/|exports/tensors/)'),
    ('core: tapes (record, sweep, cotangents, nodes, id maps)', r'^wasm (assembly/(backprop|ops/record|idmap)/|"?~lib/map/)'),
    ('core: kernels', r'^wasm assembly/kernels/|Kernel$'),
    ('core: ops (forward, backward rules, op exports)', r'^wasm '),
    ('gradtape JS', r'packages/gradtape'),
    ('benchmark JS', r'test/bench'),
    ('V8 builtins (keyed-load IC, isFrozen, typed arrays, ...)', r'^(native Builtins_|Builtin:|native v8::internal::(Builtin_|\(anonymous namespace\)::TestProp|JSObject::TestInt|Runtime_))'),
    ('V8 compiler, GC, other native', r'^native '),
    ('unmapped JIT code (JS-wasm wrappers, stubs)', r'.'),
]

if __name__ == '__main__':
    r1, r2 = sys.argv[1], sys.argv[2]
    k = lambda r: int(re.search(r'--calls=(\d+)', open(f'{r}/cg.out').read(2000)).group(1))
    calls = k(r2) - k(r1)
    a, b = by_function(r1), by_function(r2)
    per = {f: (b[f] - a[f]) / calls for f in set(a) | set(b)}
    groups = collections.OrderedDict((g, 0.0) for g, _ in GROUPS)
    for f, v in per.items():
        groups[next(g for g, rx in GROUPS if re.search(rx, f))] += v
    print(f'instructions per call over {calls} calls: {sum(per.values()) / 1000:.1f}k')
    for g, v in groups.items(): print(f'{v / 1000:8.1f}k  {g}')
    print('top functions (self):')
    for f, v in sorted(per.items(), key=lambda x: -x[1])[:int(sys.argv[3]) if len(sys.argv) > 3 else 40]:
        print(f'{v / 1000:8.2f}k  {f[:140]}')
