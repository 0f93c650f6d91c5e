// schema-provider stands in for a Terraform provider that cannot be downloaded where the checks run, so that
// `tofu validate` can still check a configuration against that provider's real schema.
//
//	schema-provider extract <cdktf package dir> <schema.json>   read the schema out of the provider's cdktf bindings
//	schema-provider                                             serve schema.json (beside the binary) as a plugin
//
// As a plugin it answers the schema and validation calls only; it never plans or applies anything, and it does not run
// the provider's own value checks (enum values, formats): those are provider code, not schema.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

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
			err = tf5server.Serve(filepath.Base(exe), func() tfprotov5.ProviderServer { return &server{schema: schema} })
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

// server answers what `validate` asks. The embedded interface is nil: a call validate never makes (plan, apply,
// read) fails loudly instead of pretending to work.
type server struct {
	tfprotov5.ProviderServer
	schema *tfprotov5.GetProviderSchemaResponse
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

func (s *server) ValidateResourceTypeConfig(context.Context, *tfprotov5.ValidateResourceTypeConfigRequest) (*tfprotov5.ValidateResourceTypeConfigResponse, error) {
	return &tfprotov5.ValidateResourceTypeConfigResponse{}, nil
}

func (s *server) ValidateDataSourceConfig(context.Context, *tfprotov5.ValidateDataSourceConfigRequest) (*tfprotov5.ValidateDataSourceConfigResponse, error) {
	return &tfprotov5.ValidateDataSourceConfigResponse{}, nil
}

func (s *server) StopProvider(context.Context, *tfprotov5.StopProviderRequest) (*tfprotov5.StopProviderResponse, error) {
	return &tfprotov5.StopProviderResponse{}, nil
}
