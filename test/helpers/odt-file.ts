// Writes real OpenDocument text files (ODF 1.2 package: stored mimetype first, content, meta, manifest) with jszip.
import JSZip from 'jszip';

const NS =
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ' +
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ' +
  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ' +
  'xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
  'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.2"';

const MANIFEST = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>`;

/**
 * `body` is the XML inside <office:text> (text:h, text:p, text:list, table:table…), as LibreOffice writes it.
 * `mimetype` overrides the package type (e.g. a spreadsheet's, to test refusal).
 */
export async function makeOdt(
  body: string,
  options: { title?: string; mimetype?: string; withoutContent?: boolean } = {},
): Promise<Buffer> {
  const zip = new JSZip();
  // ODF: the first entry is the uncompressed mimetype, so tools can sniff the type at a fixed offset.
  zip.file('mimetype', options.mimetype ?? 'application/vnd.oasis.opendocument.text', {
    compression: 'STORE',
  });
  if (!options.withoutContent)
    zip.file(
      'content.xml',
      `<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content ${NS}><office:body><office:text>${body}</office:text></office:body></office:document-content>`,
    );
  zip.file(
    'meta.xml',
    `<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta ${NS}><office:meta>${
      options.title ? `<dc:title>${options.title}</dc:title>` : ''
    }<meta:generator>rag-studio-mcp tests</meta:generator></office:meta></office:document-meta>`,
  );
  zip.file('META-INF/manifest.xml', MANIFEST);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}
