#!/bin/sh
# Reserves 2 MiB hugepages for DPDK (benchmarks need them; tests fall back to --no-huge).
# Prints the number reserved. Never fails the caller: an unprivileged or container run keeps 0.
want="${ESPGW_HUGEPAGES:-512}"
cur=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
if [ "$cur" -lt "$want" ] && [ -w /proc/sys/vm/nr_hugepages ]; then
    echo "$want" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
fi
echo "hugepages: $(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0) x 2MiB reserved"
