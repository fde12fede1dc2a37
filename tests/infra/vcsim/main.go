// Command vcsim serves govmomi's in-memory vCenter simulator (simulator.VPX())
// so the test suite can talk to a real vSphere SOAP API (via pyvmomi) without
// a vCenter. Built offline from Debian's golang-github-vmware-govmomi-dev
// (0.24.2) by tests/infra/vcsim.sh; it prints its URL on one stdout line,
// e.g. http://user:pass@127.0.0.1:PORT/sdk, and serves plain HTTP until killed.
// guest.go adds a double of VMware Tools' guest operations (-guest-* flags).
package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (port 0 = pick a free one)")
	user := flag.String("username", "", "login user; empty = accept any non-empty user/password")
	pass := flag.String("password", "", "login password (with -username)")
	uuid := flag.String("uuid", "", "vCenter instance UUID (default: the simulator's fixed one)")
	m := simulator.VPX()
	flag.IntVar(&m.Datacenter, "dc", m.Datacenter, "datacenters")
	flag.IntVar(&m.Cluster, "cluster", m.Cluster, "clusters per datacenter")
	flag.IntVar(&m.ClusterHost, "host", m.ClusterHost, "hosts per cluster")
	flag.IntVar(&m.Host, "standalone-host", m.Host, "standalone hosts per datacenter")
	flag.IntVar(&m.Datastore, "ds", m.Datastore, "datastores")
	flag.IntVar(&m.Machine, "vm", m.Machine, "VMs per resource pool")
	guestCfg := guestFlags()
	flag.Parse()

	if *uuid != "" { // About is a copy inside m, so this does not touch the package default
		m.ServiceContent.About.InstanceUuid = *uuid
	}
	if err := m.Create(); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim: create model:", err)
		os.Exit(1)
	}
	defer m.Remove() // deletes the datastores' temp dirs

	ownRoot := guestCfg.root == ""
	guests, err := newGuestDouble(guestCfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vcsim: guest root:", err)
		os.Exit(1)
	}
	if ownRoot {
		defer os.RemoveAll(guestCfg.root)
	}
	guests.install(m)

	// In 0.24.2 the listen address and the accepted login both come from
	// Service.Listen (a *url.URL); a nil User means "any non-empty user/pass".
	m.Service.Listen = &url.URL{Host: *listen}
	if *user != "" {
		m.Service.Listen.User = url.UserPassword(*user, *pass)
	}
	s := m.Service.NewServer() // plain HTTP: Service.TLS is nil
	defer s.Close()
	guests.port = s.URL.Port()
	m.Service.ServeMux.HandleFunc(transferPrefix, guests.serveTransfer)

	fmt.Println(s.URL.String()) // URL carries user:pass (defaults to user:pass)
	os.Stdout.Sync()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
}
