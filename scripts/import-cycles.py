#!/usr/bin/env python3
"""Lists import circles between the files of src/ (edges: `crate::` and `super::` paths).
Run from the project root: `python3 scripts/import-cycles.py`; exits 1 when there is one."""
import re,os,sys
root='src'
files={}
for dp,dn,fn in os.walk(root):
    for f in fn:
        if f.endswith('.rs'):
            p=os.path.join(dp,f)
            files[p]=open(p).read()
def modpath(p):
    rel=p[len(root)+1:-3]
    parts=rel.split('/')
    if parts[-1] in ('mod','lib','main'): parts=parts[:-1]
    return parts
mods={tuple(modpath(p)):p for p in files}
def resolve(path):
    # longest prefix that is a module file
    for i in range(len(path),0,-1):
        if tuple(path[:i]) in mods: return mods[tuple(path[:i])]
    return None
edges={p:set() for p in files}
for p,s in files.items():
    me=modpath(p)
    for m in re.finditer(r'(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)', s):
        head=m.group(1); segs=m.group(2).strip(':').split('::')
        if head=='crate': path=segs
        else:
            base=me[:-1] if not p.endswith('mod.rs') else me[:-1]
            # super from file foo/bar.rs -> foo ; from foo/mod.rs -> parent of foo
            base = me[:-1]
            path=base+segs
        t=resolve(path)
        if t and t!=p: edges[p].add(t)
    for m in re.finditer(r'(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^}]*)\}', s):
        head=m.group(1); segs=[x for x in m.group(2).strip(':').split('::') if x]
        base = segs if head=='crate' else me[:-1]+segs
        for item in m.group(3).split(','):
            item=item.strip().split(' as ')[0].split('::')
            if not item[0] or item[0]=='self':
                t=resolve(base)
            else:
                t=resolve(base+item)
            if t and t!=p: edges[p].add(t)
# find cycles via Tarjan
index={};low={};st=[];on=set();sccs=[];i=[0]
sys.setrecursionlimit(10000)
def sc(v):
    index[v]=low[v]=i[0];i[0]+=1;st.append(v);on.add(v)
    for w in edges[v]:
        if w not in index: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],index[w])
    if low[v]==index[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v:break
        if len(comp)>1: sccs.append(comp)
for v in edges:
    if v not in index: sc(v)
for c in sccs: print(len(c), sorted(c)[:40])
print("cycles:",len(sccs))
for c in sccs:
    cs=set(c)
    for v in sorted(c):
        print(v,'->',sorted(w for w in edges[v] if w in cs))
    print()
sys.exit(1 if sccs else 0)
