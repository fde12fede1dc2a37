// The guest file manager of the VMware Tools double (see guest.go): temporary files,
// deletes, and transfers served over the simulator's own HTTP endpoint at /guestFile
// (the URL form a real vCenter hands out: https://*/guestFile?id=…&token=…, where the
// client puts the host it connected to in place of "*").
package main

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// transfer is one granted upload (PUT) or download (GET), valid until used or expired.
type transfer struct {
	path    string
	upload  bool
	perm    os.FileMode
	expires time.Time
}

const transferPrefix = "/guestFile"

type guestFileManager struct {
	mo.GuestFileManager
	d *guestDouble
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (m *guestFileManager) CreateTemporaryFileInGuest(req *types.CreateTemporaryFileInGuest) soap.HasFault {
	body := new(methods.CreateTemporaryFileInGuestBody)
	m.d.mu.Lock()
	defer m.d.mu.Unlock()
	g, ferr := m.d.guest(req.Vm, req.Auth)
	if ferr != nil {
		body.Fault_ = fault(ferr)
		return body
	}
	dir := filepath.Join(g.dir, "tmp")
	if req.DirectoryPath != "" {
		dir = g.path(req.DirectoryPath)
	}
	f, err := os.CreateTemp(dir, req.Prefix+"*"+req.Suffix)
	if err != nil {
		body.Fault_ = fault(&types.FileNotFound{FileFault: types.FileFault{File: req.DirectoryPath}})
		return body
	}
	_ = f.Close()
	body.Res = &types.CreateTemporaryFileInGuestResponse{Returnval: f.Name()}
	return body
}

func (m *guestFileManager) DeleteFileInGuest(req *types.DeleteFileInGuest) soap.HasFault {
	body := new(methods.DeleteFileInGuestBody)
	m.d.mu.Lock()
	defer m.d.mu.Unlock()
	g, ferr := m.d.guest(req.Vm, req.Auth)
	if ferr != nil {
		body.Fault_ = fault(ferr)
		return body
	}
	if err := os.Remove(g.path(req.FilePath)); err != nil {
		body.Fault_ = fault(&types.FileNotFound{FileFault: types.FileFault{File: req.FilePath}})
		return body
	}
	body.Res = new(types.DeleteFileInGuestResponse)
	return body
}

// grant records a transfer and returns its URL.
func (m *guestFileManager) grant(t *transfer) string {
	token := randomHex(16)
	t.expires = time.Now().Add(10 * time.Minute)
	m.d.transfers[token] = t
	return "http://*:" + m.d.port + transferPrefix + "?id=" + token + "&token=" + randomHex(8)
}

func (m *guestFileManager) InitiateFileTransferToGuest(req *types.InitiateFileTransferToGuest) soap.HasFault {
	body := new(methods.InitiateFileTransferToGuestBody)
	m.d.mu.Lock()
	defer m.d.mu.Unlock()
	g, ferr := m.d.guest(req.Vm, req.Auth)
	if ferr != nil {
		body.Fault_ = fault(ferr)
		return body
	}
	path := g.path(req.GuestFilePath)
	if _, err := os.Stat(path); err == nil && !req.Overwrite {
		body.Fault_ = fault(&types.FileAlreadyExists{FileFault: types.FileFault{File: req.GuestFilePath}})
		return body
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		body.Fault_ = fault(&types.FileNotFound{FileFault: types.FileFault{File: filepath.Dir(req.GuestFilePath)}})
		return body
	}
	perm := os.FileMode(0o644)
	if posix, ok := req.FileAttributes.(*types.GuestPosixFileAttributes); ok && posix.Permissions != 0 {
		perm = os.FileMode(posix.Permissions) & os.ModePerm
	}
	body.Res = &types.InitiateFileTransferToGuestResponse{Returnval: m.grant(&transfer{path: path, upload: true, perm: perm})}
	return body
}

func (m *guestFileManager) InitiateFileTransferFromGuest(req *types.InitiateFileTransferFromGuest) soap.HasFault {
	body := new(methods.InitiateFileTransferFromGuestBody)
	m.d.mu.Lock()
	defer m.d.mu.Unlock()
	g, ferr := m.d.guest(req.Vm, req.Auth)
	if ferr != nil {
		body.Fault_ = fault(ferr)
		return body
	}
	path := g.path(req.GuestFilePath)
	st, err := os.Stat(path)
	if err != nil || st.IsDir() {
		body.Fault_ = fault(&types.FileNotFound{FileFault: types.FileFault{File: req.GuestFilePath}})
		return body
	}
	mtime := st.ModTime().UTC()
	body.Res = &types.InitiateFileTransferFromGuestResponse{Returnval: types.FileTransferInformation{
		Attributes: &types.GuestPosixFileAttributes{GuestFileAttributes: types.GuestFileAttributes{ModificationTime: &mtime},
			Permissions: int64(st.Mode().Perm())},
		Size: st.Size(),
		Url:  m.grant(&transfer{path: path}),
	}}
	return body
}

// serveTransfer answers PUT (upload) and GET (download) on a granted transfer URL.
func (d *guestDouble) serveTransfer(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("id")
	d.mu.Lock()
	t := d.transfers[token]
	delete(d.transfers, token)
	d.mu.Unlock()
	if t == nil || time.Now().After(t.expires) {
		http.Error(w, "unknown or expired transfer", http.StatusNotFound)
		return
	}
	switch {
	case t.upload && r.Method == http.MethodPut:
		f, err := os.OpenFile(t.path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, t.perm)
		if err == nil {
			_, err = io.Copy(f, r.Body)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err == nil {
			err = os.Chmod(t.path, t.perm)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	case !t.upload && r.Method == http.MethodGet:
		http.ServeFile(w, r, t.path)
	default:
		http.Error(w, "wrong method for this transfer", http.StatusMethodNotAllowed)
	}
}
