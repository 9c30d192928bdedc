using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Model.Spec;

namespace Coordinator.Aws.Tests.Items;

/// <summary><c>spec.input.validate</c> in the DynamoDB item form (the YAML form is in Model.Tests).</summary>
public class InputValidateItemTests
{
    [Fact]
    public void A_dynamodb_item_with_validate_as_a_string_is_an_error_naming_the_field()
    {
        var item = JobItemCodec.EncodeNew(new Job
        {
            Name = "v",
            Spec = new JobSpec { Input = new InputSpec { Uri = "s3://data-in/x/", Validate = false } },
        });
        Assert.False(item["spec"].M["input"].M["validate"].BOOL);
        Assert.False(JobItemCodec.Decode(item).Spec.Input.Validate);

        item["spec"].M["input"].M["validate"] = new AttributeValue { S = "false" };
        var decoded = JobItemCodec.Decode(item);

        Assert.Contains("spec.input.validate: expected true or false (BOOL), got S \"false\"", decoded.DecodeErrors);
    }
}
