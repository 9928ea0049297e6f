package main_test

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests' listening ports come from below the kernel's ephemeral
// range. A port inside it can be probed free and then be taken, seconds
// later, as the local end of one of the many outgoing RPC connections
// before the node meant for it starts (a node started late, such as a
// validator joining a consumer, then exits on "address already in use").
// Ports handed out here are never handed out twice in one test binary,
// so parallel tests cannot share them either.
var ports struct {
	sync.Mutex
	next, low, high int
}

const portFloor = 10000

// allocPorts returns the first of count consecutive free loopback ports.
func allocPorts(t *testing.T, count int) int {
	t.Helper()
	ports.Lock()
	defer ports.Unlock()
	if ports.high == 0 {
		ports.low, ports.high = portFloor, ephemeralLow()
		ports.next = ports.low + int(time.Now().UnixNano()%int64((ports.high-ports.low)/2))
	}
	for tries := 0; tries < 200; tries++ {
		if ports.next+count > ports.high {
			ports.next = ports.low
		}
		base := ports.next
		ports.next += count
		if portsFree(base, count) {
			return base
		}
	}
	t.Fatalf("no %d free loopback ports below %d", count, ports.high)
	return 0
}

// ephemeralLow is the first port the kernel hands to outgoing
// connections, 32768 where it cannot be read.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 32768
	}
	low, err := strconv.Atoi(f[0])
	if err != nil || low < portFloor+5000 {
		return 32768
	}
	return low
}

func portsFree(base, count int) bool {
	for p := base; p < base+count; p++ {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

// freeBase finds n*10 consecutive free loopback ports.
func freeBase(t *testing.T, n int) int {
	t.Helper()
	return allocPorts(t, 10*n)
}

// freePort finds one free loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	return allocPorts(t, 1)
}
