import { escapeXmlAttr } from '../xml/xml-escape.util';

/**
 * The part of a WSDL after its types, for a service with one `Execute` operation (the discovery
 * service, the MetadataService): messages, port type, the SOAP 1.1 and 1.2 bindings, and the
 * service with both ports at `address`. With `tokenHeader`, Execute carries the
 * CrmAuthenticationToken as a SOAP header (the `tns:CrmAuthenticationToken` element).
 */
export function executeServiceTail(opts: {
  service: string;
  soapAction: string;
  address: string;
  tokenHeader: boolean;
}): string {
  const { service, soapAction, tokenHeader } = opts;
  const location = escapeXmlAttr(opts.address);
  const header = tokenHeader
    ? `        <{soap}:header message="tns:ExecuteCrmAuthenticationToken" part="CrmAuthenticationToken" use="literal" />\n`
    : '';
  const binding = (name: string, soap: 'soap' | 'soap12'): string =>
    `  <wsdl:binding name="${name}" type="tns:${service}Soap">\n` +
    `    <${soap}:binding transport="http://schemas.xmlsoap.org/soap/http" />\n` +
    `    <wsdl:operation name="Execute">\n` +
    `      <${soap}:operation soapAction="${soapAction}" style="document" />\n` +
    (header
      ? `      <wsdl:input>\n        <${soap}:body use="literal" />\n${header.replace('{soap}', soap)}      </wsdl:input>\n`
      : `      <wsdl:input>\n        <${soap}:body use="literal" />\n      </wsdl:input>\n`) +
    `      <wsdl:output>\n        <${soap}:body use="literal" />\n      </wsdl:output>\n` +
    `    </wsdl:operation>\n` +
    `  </wsdl:binding>\n`;
  return (
    `  <wsdl:message name="ExecuteSoapIn">\n    <wsdl:part name="parameters" element="tns:Execute" />\n  </wsdl:message>\n` +
    `  <wsdl:message name="ExecuteSoapOut">\n    <wsdl:part name="parameters" element="tns:ExecuteResponse" />\n  </wsdl:message>\n` +
    (tokenHeader
      ? `  <wsdl:message name="ExecuteCrmAuthenticationToken">\n    <wsdl:part name="CrmAuthenticationToken" element="tns:CrmAuthenticationToken" />\n  </wsdl:message>\n`
      : '') +
    `  <wsdl:portType name="${service}Soap">\n    <wsdl:operation name="Execute">\n      <wsdl:input message="tns:ExecuteSoapIn" />\n      <wsdl:output message="tns:ExecuteSoapOut" />\n    </wsdl:operation>\n  </wsdl:portType>\n` +
    binding(`${service}Soap`, 'soap') +
    binding(`${service}Soap12`, 'soap12') +
    `  <wsdl:service name="${service}">\n` +
    `    <wsdl:port name="${service}Soap" binding="tns:${service}Soap">\n      <soap:address location="${location}" />\n    </wsdl:port>\n` +
    `    <wsdl:port name="${service}Soap12" binding="tns:${service}Soap12">\n      <soap12:address location="${location}" />\n    </wsdl:port>\n` +
    `  </wsdl:service>\n</wsdl:definitions>\n`
  );
}
