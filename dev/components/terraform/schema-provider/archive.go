package main

// archive_file, done for real: hashicorp/archive writes the zip while the plan reads the data source and returns its
// hashes (https://registry.terraform.io/providers/hashicorp/archive/latest/docs/data-sources/file). Only what the
// module uses is supported: type "zip" with `source { content, filename }` blocks.

import (
	"archive/zip"
	"bytes"
	"crypto/md5"  //nolint:gosec // output_md5 is what the real data source reports
	"crypto/sha1" //nolint:gosec // output_sha likewise
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func readArchive(config tftypes.Value) (tftypes.Value, error) {
	kind, _ := knownString(attributeValue(config, "type"))
	output, ok := knownString(attributeValue(config, "output_path"))
	if kind != "zip" || !ok {
		return config, fmt.Errorf("only type \"zip\" with a known output_path is supported")
	}
	files, err := archiveSources(attributeValue(config, "source"))
	if err != nil {
		return config, err
	}
	archive, err := zipped(files)
	if err != nil {
		return config, err
	}
	if err := os.MkdirAll(filepath.Dir(output), 0o755); err != nil {
		return config, err
	}
	if err := os.WriteFile(output, archive, 0o644); err != nil {
		return config, err
	}
	md5sum, sha1sum, sha256sum, sha512sum := md5.Sum(archive), sha1.Sum(archive), sha256.Sum256(archive), sha512.Sum512(archive) //nolint:gosec
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	return withAttributes(config, map[string]tftypes.Value{
		"id":                  str(hex.EncodeToString(sha1sum[:])),
		"output_md5":          str(hex.EncodeToString(md5sum[:])),
		"output_sha":          str(hex.EncodeToString(sha1sum[:])),
		"output_sha256":       str(hex.EncodeToString(sha256sum[:])),
		"output_sha512":       str(hex.EncodeToString(sha512sum[:])),
		"output_base64sha256": str(base64.StdEncoding.EncodeToString(sha256sum[:])),
		"output_base64sha512": str(base64.StdEncoding.EncodeToString(sha512sum[:])),
		"output_size":         tftypes.NewValue(tftypes.Number, big.NewFloat(float64(len(archive)))),
	})
}

func archiveSources(source tftypes.Value) (map[string]string, error) {
	var elements []tftypes.Value
	if err := source.As(&elements); err != nil {
		return nil, fmt.Errorf("source blocks: %w", err)
	}
	files := map[string]string{}
	for _, element := range elements {
		name, okName := knownString(attributeValue(element, "filename"))
		content, okContent := knownString(attributeValue(element, "content"))
		if !okName || !okContent {
			return nil, fmt.Errorf("a source block without a known filename and content")
		}
		files[name] = content
	}
	return files, nil
}

// zipped writes the files in name order with a fixed time, so the same files always give the same archive.
func zipped(files map[string]string) ([]byte, error) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var buffer bytes.Buffer
	writer := zip.NewWriter(&buffer)
	for _, name := range names {
		w, err := writer.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2049, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(files[name])); err != nil {
			return nil, err
		}
	}
	err := writer.Close()
	return buffer.Bytes(), err
}
