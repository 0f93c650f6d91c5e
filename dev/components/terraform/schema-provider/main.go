// schema-provider stands in for a Terraform provider that cannot be downloaded where the checks run, so that
// `tofu validate` and `tofu plan` can still check a configuration against that provider's real schema.
//
//	schema-provider extract <cdktf package dir> <schema.json>   read the schema out of the provider's cdktf bindings
//	terraform-provider-NAME_vX.Y.Z                              serve schema.json (beside the binary) as provider NAME X.Y.Z
//
// As a plugin it validates against the schema and plans as the real provider does at plan time (plan.go, what is
// known and what is not; resource_rules.go, the per-resource rules that matter here; data_sources.go, data sources).
// It never applies anything, and it does not run the provider's own value checks (enum values, formats).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5/tf5server"
)

func main() {
	if len(os.Args) == 4 && os.Args[1] == "extract" {
		if err := writeSchema(os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, "extract:", err)
			os.Exit(1)
		}
		return
	}
	exe, err := os.Executable()
	if err == nil {
		var schema *tfprotov5.GetProviderSchemaResponse
		if schema, err = loadSchema(filepath.Join(filepath.Dir(exe), "schema.json")); err == nil {
			name, release := providerIdentity(filepath.Base(exe))
			err = tf5server.Serve(filepath.Base(exe), func() tfprotov5.ProviderServer {
				return &server{schema: schema, name: name, version: parseVersion(release)}
			})
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func writeSchema(pkgDir, out string) error {
	schema, err := extract(pkgDir)
	if err != nil {
		return err
	}
	resources := len(schema["resource_schemas"].(map[string]any)) + len(schema["data_source_schemas"].(map[string]any))
	if schema["provider"] == nil || resources == 0 {
		return fmt.Errorf("no provider or resources found in %s", pkgDir)
	}
	text, err := json.Marshal(schema)
	if err != nil {
		return err
	}
	return os.WriteFile(out, text, 0o644)
}

// providerIdentity reads NAME and X.Y.Z out of terraform-provider-NAME_vX.Y.Z.
func providerIdentity(file string) (name, release string) {
	name, release, _ = strings.Cut(strings.TrimPrefix(file, "terraform-provider-"), "_v")
	return name, release
}

// server answers what `validate` and `plan` ask. The embedded interface is nil: a call neither makes (apply, import)
// fails loudly instead of pretending to work.
type server struct {
	tfprotov5.ProviderServer
	schema      *tfprotov5.GetProviderSchemaResponse
	name        string
	version     version
	configKnown bool   // the provider block's values were all known when configured
	host        string // the provider block's `host` (kubernetes: the cluster it would talk to), if set
}

func (s *server) GetMetadata(context.Context, *tfprotov5.GetMetadataRequest) (*tfprotov5.GetMetadataResponse, error) {
	return &tfprotov5.GetMetadataResponse{}, nil
}

func (s *server) GetProviderSchema(context.Context, *tfprotov5.GetProviderSchemaRequest) (*tfprotov5.GetProviderSchemaResponse, error) {
	return s.schema, nil
}

func (s *server) GetResourceIdentitySchemas(context.Context, *tfprotov5.GetResourceIdentitySchemasRequest) (*tfprotov5.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov5.GetResourceIdentitySchemasResponse{}, nil
}

func (s *server) GetFunctions(context.Context, *tfprotov5.GetFunctionsRequest) (*tfprotov5.GetFunctionsResponse, error) {
	return &tfprotov5.GetFunctionsResponse{Functions: map[string]*tfprotov5.Function{}}, nil
}

func (s *server) PrepareProviderConfig(_ context.Context, req *tfprotov5.PrepareProviderConfigRequest) (*tfprotov5.PrepareProviderConfigResponse, error) {
	return &tfprotov5.PrepareProviderConfigResponse{PreparedConfig: req.Config}, nil
}

func (s *server) ValidateResourceTypeConfig(_ context.Context, req *tfprotov5.ValidateResourceTypeConfigRequest) (*tfprotov5.ValidateResourceTypeConfigResponse, error) {
	if req.TypeName != "kubernetes_manifest" {
		return &tfprotov5.ValidateResourceTypeConfigResponse{}, nil
	}
	config, err := req.Config.Unmarshal(s.schema.ResourceSchemas[req.TypeName].ValueType())
	return &tfprotov5.ValidateResourceTypeConfigResponse{Diagnostics: manifestRequiredKeys(config)}, err
}

// ConfigureProvider remembers whether the provider block was wholly known: kubernetes_manifest needs a client at plan.
func (s *server) ConfigureProvider(_ context.Context, req *tfprotov5.ConfigureProviderRequest) (*tfprotov5.ConfigureProviderResponse, error) {
	config, err := req.Config.Unmarshal(s.schema.Provider.ValueType())
	s.configKnown = err == nil && config.IsFullyKnown()
	s.host, _ = knownString(attributeValue(config, "host"))
	return &tfprotov5.ConfigureProviderResponse{}, err
}

// UpgradeResourceState and ReadResource keep a stored state as it is: the stand-in has no older schema versions and
// no cloud to refresh from. A plan from an empty state calls neither.
func (s *server) UpgradeResourceState(_ context.Context, req *tfprotov5.UpgradeResourceStateRequest) (*tfprotov5.UpgradeResourceStateResponse, error) {
	typ := s.schema.ResourceSchemas[req.TypeName].ValueType()
	state, err := req.RawState.Unmarshal(typ)
	if err != nil {
		return nil, err
	}
	upgraded, err := tfprotov5.NewDynamicValue(typ, state)
	return &tfprotov5.UpgradeResourceStateResponse{UpgradedState: &upgraded}, err
}

func (s *server) ReadResource(_ context.Context, req *tfprotov5.ReadResourceRequest) (*tfprotov5.ReadResourceResponse, error) {
	return &tfprotov5.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, nil
}

func (s *server) ValidateDataSourceConfig(context.Context, *tfprotov5.ValidateDataSourceConfigRequest) (*tfprotov5.ValidateDataSourceConfigResponse, error) {
	return &tfprotov5.ValidateDataSourceConfigResponse{}, nil
}

func (s *server) StopProvider(context.Context, *tfprotov5.StopProviderRequest) (*tfprotov5.StopProviderResponse, error) {
	return &tfprotov5.StopProviderResponse{}, nil
}
