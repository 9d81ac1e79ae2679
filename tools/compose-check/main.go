// compose-check loads docker-compose.yml with compose-go, the library `docker compose` itself uses (there is no
// Docker engine on the machines that test this project), then checks that the file follows what `npm run cluster`
// runs and `npm run test:cluster` tests. Any broken reference, bad interpolation or broken rule fails CI.
//
//	go run . -file ../../docker-compose.yml -temporal-version 1.32.2
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// What each image's healthcheck may call: executables those images ship (postgres: its client tools; Temporal's
// server image: busybox nc, which Temporal's own compose files use; nginx on Alpine: busybox wget; ours: node).
var healthcheckTools = map[string][]string{
	"postgres:":           {"pg_isready"},
	"temporalio/server:":  {"nc"},
	"nginx:":              {"wget"},
	"escrow-marketplace:": {"node"},
}

// One-shot services: they run to completion, restarted only when they fail.
var oneShot = map[string]bool{"temporal-schema": true, "temporal-namespace": true, "app-image": true}

func main() {
	file := flag.String("file", "docker-compose.yml", "the compose file")
	temporalVersion := flag.String("temporal-version", "", "the Temporal server version the cluster runs (e.g. 1.32.2)")
	flag.Parse()
	// Required secrets are `${VAR:?…}` in the file: give them placeholder values so that the file loads.
	env := []string{"POSTGRES_PASSWORD=placeholder", "PAYMENTS_WEBHOOK_SECRET=placeholder", "PAYLOAD_ENCRYPTION_KEYS=placeholder", "PLATFORM_LEGAL_NAME=placeholder", "PLATFORM_ADDRESS=placeholder", "PLATFORM_SIREN=placeholder", "PLATFORM_VAT_NUMBER=placeholder"}
	options, err := cli.NewProjectOptions([]string{*file}, cli.WithName("escrow"), cli.WithWorkingDirectory(filepath.Dir(*file)), cli.WithEnv(env))
	if err != nil {
		fail([]string{err.Error()})
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail([]string{fmt.Sprintf("compose-go cannot load %s: %v", *file, err)})
	}
	dir, err := filepath.Abs(filepath.Dir(*file))
	if err != nil {
		fail([]string{err.Error()})
	}
	problems := check(project, *temporalVersion, dir)
	if len(problems) > 0 {
		fail(problems)
	}
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Printf("%s: loaded by compose-go, %d services (%s), every rule holds\n", *file, len(names), strings.Join(names, ", "))
}

func check(p *types.Project, temporalVersion, dir string) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	builds := 0
	for name, s := range p.Services {
		if strings.Contains(s.Image, "auto-setup") {
			bad("%s: image %s (auto-setup is not meant for production: the admin-tools image sets the schemas up)", name, s.Image)
		}
		if strings.HasPrefix(s.Image, "temporalio/server:") || strings.HasPrefix(s.Image, "temporalio/admin-tools:") {
			if tag := s.Image[strings.Index(s.Image, ":")+1:]; temporalVersion != "" && tag != temporalVersion {
				bad("%s: image %s, but the cluster runs and tests Temporal %s", name, s.Image, temporalVersion)
			}
		}
		switch {
		case s.Restart == "":
			bad("%s: no restart policy", name)
		case oneShot[name] && s.Restart != "no" && !strings.HasPrefix(s.Restart, "on-failure"):
			bad("%s: a one-shot service restarted %q (on-failure or no)", name, s.Restart)
		case !oneShot[name] && s.Restart != "unless-stopped" && s.Restart != "always":
			bad("%s: a long-running service restarted %q (unless-stopped or always)", name, s.Restart)
		}
		if s.Build != nil {
			builds++
		}
		if s.HealthCheck != nil && len(s.HealthCheck.Test) > 1 {
			tool := s.HealthCheck.Test[1]
			if s.HealthCheck.Test[0] == "CMD-SHELL" {
				tool = strings.Fields(tool)[0]
			}
			known := false
			for prefix, tools := range healthcheckTools {
				if strings.HasPrefix(s.Image, prefix) {
					for _, t := range tools {
						known = known || t == tool
					}
				}
			}
			if !known {
				bad("%s: healthcheck runs %q, not known to be in image %s", name, tool, s.Image)
			}
		}
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind {
				if _, err := os.Stat(v.Source); err != nil {
					bad("%s: mounts %s, which is not in the repository", name, v.Source)
				}
			}
		}
	}
	if builds != 1 {
		bad("%d services build an image: one image, built once, for the API and the worker", builds)
	}
	api, worker := p.Services["api"], p.Services["worker"]
	if api.Image == "" || api.Image != worker.Image {
		bad("api (%q) and worker (%q) do not run the same image", api.Image, worker.Image)
	}
	if api.Deploy == nil || api.Deploy.Replicas == nil || *api.Deploy.Replicas < 2 {
		bad("api: fewer than 2 replicas (the cluster runs 2)")
	}
	if worker.Deploy == nil || worker.Deploy.Replicas == nil || *worker.Deploy.Replicas < 3 {
		bad("worker: fewer than 3 replicas (the cluster runs 3)")
	}
	for _, key := range []string{"PAYMENT_PROVIDER", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_CONNECT_WEBHOOK_SECRET", "PAYMENT_ORDERS_URL", "DATABASE_URL", "TEMPORAL_ADDRESS", "AUTH_JWT_SECRET", "AUTH_JWKS_URL", "AUTH_JWT_ISSUER", "AUTH_JWT_AUDIENCE", "AUTH_ROLE_CLAIM", "PAYMENTS_WEBHOOK_SECRET", "PAYLOAD_ENCRYPTION_KEYS", "PLATFORM_LEGAL_NAME", "PLATFORM_ADDRESS", "PLATFORM_SIREN", "PLATFORM_VAT_NUMBER"} {
		for _, name := range []string{"api", "worker"} {
			if _, ok := p.Services[name].Environment[key]; !ok {
				bad("%s: no %s", name, key)
			}
		}
	}
	temporal := p.Services["temporal"]
	command := strings.Join(temporal.Command, " ")
	if !strings.Contains(command, "--config-file /etc/escrow-cluster/temporal.yaml") {
		bad("temporal: not started on the cluster's config file (cluster/temporal.yaml): %q", command)
	}
	mounted := false
	for _, v := range temporal.Volumes {
		mounted = mounted || (v.Target == "/etc/escrow-cluster" && filepath.Clean(v.Source) == filepath.Join(dir, "cluster"))
	}
	if !mounted {
		bad("temporal: ./cluster is not mounted at /etc/escrow-cluster")
	}
	if dep, ok := temporal.DependsOn["temporal-schema"]; !ok || dep.Condition != types.ServiceConditionCompletedSuccessfully {
		bad("temporal: does not wait for its schemas (temporal-schema, service_completed_successfully)")
	}
	return problems
}

func fail(problems []string) {
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "compose-check:", p)
	}
	os.Exit(1)
}
