// A double of VMware Tools' guest operations for the simulator.
//
// govmomi 0.24.2's simulator has no StartProgramInGuest and transfers guest files only
// into Docker containers. This file registers Go objects in place of the simulator's
// GuestOperationsManager's auth, process and file managers. Each VM gets a private
// directory on the test machine (<guest-root>/<VM name>); programs run there with
// /bin/sh under a time limit, and file transfers go through this server's HTTP endpoint
// (/guestFile, see guest_files.go).
//
// What it models: guest credentials per VM (NamePasswordAuthentication only), the
// faults vSphere answers (InvalidGuestLogin, GuestOperationsUnavailable with Tools not
// running or guest operations disabled, GuestComponentsOutOfDate for Tools too old,
// InvalidPowerState for a powered-off VM, GuestProcessNotFound, FileNotFound,
// FileAlreadyExists), exit codes and start/end times of processes (kept after they
// end, as Tools does), and POSIX permissions on uploaded files.
//
// What it does NOT model: isolation (commands run as the simulator's own user on the
// test machine's real file system, only their working directory is private), guest
// users and file owners (ownerId/groupId are ignored), Windows guests (PowerShell and
// batch scripts cannot run), ticketed or SSPI authentication, process owners other than
// the login name, Tools' rate limits, and the delay before a started process shows up.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Fault names accepted by -guest-vm NAME=fault:<name>.
const (
	faultToolsNotRunning = "tools-not-running"
	faultToolsTooOld     = "tools-too-old"
	faultOpsDisabled     = "guest-ops-disabled"
)

// vmSpecs collects repeated -guest-vm NAME=login:USER:PASS or NAME=fault:KIND flags.
type vmSpecs map[string][]string

func (v vmSpecs) String() string { return fmt.Sprint(map[string][]string(v)) }

func (v vmSpecs) Set(s string) error {
	name, spec := splitOnce(s, "=")
	if name == "" || !(strings.HasPrefix(spec, "login:") || strings.HasPrefix(spec, "fault:")) {
		return fmt.Errorf("want NAME=login:USER:PASSWORD or NAME=fault:KIND, got %q", s)
	}
	v[name] = append(v[name], spec)
	return nil
}

func splitOnce(s, sep string) (string, string) {
	if i := strings.Index(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):]
	}
	return s, ""
}

// guestConfig is what the flags (or VCSIM_GUEST_* environment variables) say.
type guestConfig struct {
	root    string
	login   string
	timeout time.Duration
	vms     vmSpecs
}

func guestFlags() *guestConfig {
	c := &guestConfig{vms: vmSpecs{}}
	flag.StringVar(&c.root, "guest-root", os.Getenv("VCSIM_GUEST_ROOT"),
		"directory holding one private directory per VM (default: a temporary one)")
	login := os.Getenv("VCSIM_GUEST_LOGIN")
	if login == "" {
		login = "root:vmware"
	}
	flag.StringVar(&c.login, "guest-login", login, "guest USER:PASSWORD accepted by every VM")
	flag.DurationVar(&c.timeout, "guest-timeout", 10*time.Minute, "longest a guest program may run")
	flag.Var(c.vms, "guest-vm", "per-VM guest setting, repeatable: NAME=login:USER:PASSWORD or "+
		"NAME=fault:tools-not-running|tools-too-old|guest-ops-disabled")
	return c
}

// guestProc is one program started in a guest.
type guestProc struct {
	info types.GuestProcessInfo
	cmd  *exec.Cmd
}

// guestVM is one VM's guest: its login, its configured fault, its processes.
type guestVM struct {
	name  string
	dir   string
	user  string
	pass  string
	fault string
	procs map[int64]*guestProc
}

// guestDouble holds every VM's guest; one lock guards it all (calls are short).
type guestDouble struct {
	mu        sync.Mutex
	cfg       *guestConfig
	vms       map[string]*guestVM // by VM name
	nextPid   int64
	transfers map[string]*transfer
	port      string
}

func newGuestDouble(cfg *guestConfig) (*guestDouble, error) {
	if cfg.root == "" {
		dir, err := os.MkdirTemp("", "vcsim-guest-")
		if err != nil {
			return nil, err
		}
		cfg.root = dir
	}
	return &guestDouble{cfg: cfg, vms: map[string]*guestVM{}, nextPid: 1000, transfers: map[string]*transfer{}}, nil
}

// install puts the managers in the simulator's registry, replacing its own, and marks
// the VMs configured with a Tools fault in their guest info.
func (d *guestDouble) install(m *simulator.Model) {
	gom := simulator.Map.Get(*m.ServiceContent.GuestOperationsManager).(*simulator.GuestOperationsManager)
	gom.AuthManager = &types.ManagedObjectReference{Type: "GuestAuthManager", Value: "guestOperationsAuthManager"}
	simulator.Map.Put(&guestAuthManager{GuestAuthManager: mo.GuestAuthManager{Self: *gom.AuthManager}, d: d})
	simulator.Map.Put(&guestProcessManager{GuestProcessManager: mo.GuestProcessManager{Self: *gom.ProcessManager}, d: d})
	simulator.Map.Put(&guestFileManager{GuestFileManager: mo.GuestFileManager{Self: *gom.FileManager}, d: d})
	for _, entity := range simulator.Map.All("VirtualMachine") {
		vm := entity.(*simulator.VirtualMachine)
		// Every VM has Tools running unless configured otherwise (the simulator says "not running").
		vm.Guest.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
		vm.Guest.ToolsStatus = types.VirtualMachineToolsStatusToolsOk
		vm.Guest.ToolsVersionStatus2 = string(types.VirtualMachineToolsVersionStatusGuestToolsCurrent)
		for _, spec := range d.cfg.vms[vm.Name] {
			switch spec {
			case "fault:" + faultToolsNotRunning:
				vm.Guest.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)
				vm.Guest.ToolsStatus = types.VirtualMachineToolsStatusToolsNotRunning
			case "fault:" + faultToolsTooOld:
				vm.Guest.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
				vm.Guest.ToolsVersionStatus2 = string(types.VirtualMachineToolsVersionStatusGuestToolsTooOld)
			}
		}
	}
}

// guest checks the call's VM and credentials like Tools does and returns its guest.
func (d *guestDouble) guest(ref types.ManagedObjectReference, auth types.BaseGuestAuthentication) (*guestVM, types.BaseMethodFault) {
	obj := simulator.Map.Get(ref)
	vm, ok := obj.(*simulator.VirtualMachine)
	if !ok {
		return nil, &types.ManagedObjectNotFound{Obj: ref}
	}
	g, err := d.vmGuest(vm.Name)
	if err != nil {
		return nil, &types.GuestOperationsFault{}
	}
	if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
		return nil, &types.InvalidPowerState{RequestedState: types.VirtualMachinePowerStatePoweredOn,
			ExistingState: vm.Runtime.PowerState}
	}
	switch g.fault {
	case faultToolsNotRunning, faultOpsDisabled:
		return nil, &types.GuestOperationsUnavailable{}
	case faultToolsTooOld:
		return nil, &types.GuestComponentsOutOfDate{}
	}
	login, ok := auth.(*types.NamePasswordAuthentication)
	if !ok || login.Username != g.user || login.Password != g.pass {
		return nil, &types.InvalidGuestLogin{}
	}
	return g, nil
}

// vmGuest returns (creating on first use) the guest state of the VM called name.
func (d *guestDouble) vmGuest(name string) (*guestVM, error) {
	if g := d.vms[name]; g != nil {
		return g, nil
	}
	user, pass := splitOnce(d.cfg.login, ":")
	g := &guestVM{name: name, dir: filepath.Join(d.cfg.root, name), user: user, pass: pass, procs: map[int64]*guestProc{}}
	for _, spec := range d.cfg.vms[name] {
		kind, value := splitOnce(spec, ":")
		if kind == "login" {
			g.user, g.pass = splitOnce(value, ":")
		} else {
			g.fault = value
		}
	}
	if err := os.MkdirAll(filepath.Join(g.dir, "tmp"), 0o755); err != nil {
		return nil, err
	}
	d.vms[name] = g
	return g, nil
}

// path maps a guest path to the test machine: temporary files the double handed out
// are real paths inside the VM's directory; any other absolute path is taken relative
// to that directory, so transfers never leave it.
func (g *guestVM) path(guestPath string) string {
	clean := filepath.Clean("/" + guestPath)
	if strings.HasPrefix(clean, g.dir+"/") {
		return clean
	}
	return filepath.Join(g.dir, clean)
}

func fault(err types.BaseMethodFault) *soap.Fault {
	return simulator.Fault("", err)
}

type guestAuthManager struct {
	mo.GuestAuthManager
	d *guestDouble
}

func (m *guestAuthManager) ValidateCredentialsInGuest(req *types.ValidateCredentialsInGuest) soap.HasFault {
	body := new(methods.ValidateCredentialsInGuestBody)
	m.d.mu.Lock()
	defer m.d.mu.Unlock()
	if _, err := m.d.guest(req.Vm, req.Auth); err != nil {
		body.Fault_ = fault(err)
		return body
	}
	body.Res = new(types.ValidateCredentialsInGuestResponse)
	return body
}

type guestProcessManager struct {
	mo.GuestProcessManager
	d *guestDouble
}

// StartProgramInGuest runs "programPath arguments" through /bin/sh -c (as Tools does on
// Linux, so redirections such as "> out 2> err" work) in its own process group.
func (m *guestProcessManager) StartProgramInGuest(req *types.StartProgramInGuest) soap.HasFault {
	body := new(methods.StartProgramInGuestBody)
	m.d.mu.Lock()
	defer m.d.mu.Unlock()
	g, ferr := m.d.guest(req.Vm, req.Auth)
	if ferr != nil {
		body.Fault_ = fault(ferr)
		return body
	}
	spec := req.Spec.GetGuestProgramSpec()
	dir := g.dir
	if spec.WorkingDirectory != "" {
		dir = g.path(spec.WorkingDirectory)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			body.Fault_ = fault(&types.FileNotFound{FileFault: types.FileFault{File: spec.WorkingDirectory}})
			return body
		}
	}
	line := strings.TrimSpace(spec.ProgramPath + " " + spec.Arguments)
	cmd := exec.Command("/bin/sh", "-c", line)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + g.dir, "TMPDIR=" + filepath.Join(g.dir, "tmp"),
		"USER=" + g.user, "GUEST_VM_NAME=" + g.name}, spec.EnvVariables...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		body.Fault_ = fault(&types.FileNotFound{FileFault: types.FileFault{File: spec.ProgramPath}})
		return body
	}
	m.d.nextPid++
	p := &guestProc{cmd: cmd, info: types.GuestProcessInfo{Name: filepath.Base(spec.ProgramPath), Pid: m.d.nextPid,
		Owner: g.user, CmdLine: line, StartTime: time.Now().UTC()}}
	g.procs[p.info.Pid] = p
	go m.d.wait(p)
	body.Res = &types.StartProgramInGuestResponse{Returnval: p.info.Pid}
	return body
}

// wait records the exit code and end time; past the time limit the group is killed.
func (d *guestDouble) wait(p *guestProc) {
	timer := time.AfterFunc(d.cfg.timeout, func() { _ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) })
	err := p.cmd.Wait()
	timer.Stop()
	code := 0
	if err != nil {
		code = 1
		if exit, ok := err.(*exec.ExitError); ok {
			if status, ok := exit.Sys().(syscall.WaitStatus); ok && status.Signaled() {
				code = 128 + int(status.Signal())
			} else {
				code = exit.ExitCode()
			}
		}
	}
	end := time.Now().UTC()
	d.mu.Lock()
	p.info.EndTime, p.info.ExitCode = &end, int32(code)
	d.mu.Unlock()
}

func (m *guestProcessManager) ListProcessesInGuest(req *types.ListProcessesInGuest) soap.HasFault {
	body := new(methods.ListProcessesInGuestBody)
	m.d.mu.Lock()
	defer m.d.mu.Unlock()
	g, ferr := m.d.guest(req.Vm, req.Auth)
	if ferr != nil {
		body.Fault_ = fault(ferr)
		return body
	}
	res := &types.ListProcessesInGuestResponse{}
	wanted := map[int64]bool{}
	for _, pid := range req.Pids {
		wanted[pid] = true
	}
	for pid, p := range g.procs {
		if len(wanted) == 0 || wanted[pid] {
			res.Returnval = append(res.Returnval, p.info)
		}
	}
	body.Res = res
	return body
}

func (m *guestProcessManager) TerminateProcessInGuest(req *types.TerminateProcessInGuest) soap.HasFault {
	body := new(methods.TerminateProcessInGuestBody)
	m.d.mu.Lock()
	defer m.d.mu.Unlock()
	g, ferr := m.d.guest(req.Vm, req.Auth)
	if ferr != nil {
		body.Fault_ = fault(ferr)
		return body
	}
	p := g.procs[req.Pid]
	if p == nil {
		body.Fault_ = fault(&types.GuestProcessNotFound{Pid: req.Pid})
		return body
	}
	if p.info.EndTime == nil { // the whole group: the shell and what it started
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
	body.Res = new(types.TerminateProcessInGuestResponse)
	return body
}
